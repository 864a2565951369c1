// Sign-in and the hosted dashboard in the synthesized template (DESIGN.md sections 8, 12, 16): the Cognito
// user pool and its client, the dashboard bucket behind CloudFront, /api/* on the same origin.
import { dashboardCsp } from '../../lambdas/config/dashboard-headers';
import { DASHBOARD_CSP } from '../../local/static-files';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

let dev: Synthesized;
let custom: Synthesized;
beforeAll(() => {
  dev = synthSwitchboard();
  custom = synthSwitchboard({ dashboardDomain: 'calls-admin.example.com', dashboardCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123' });
});

/** A template value as text, tokens included, to look for references in. */
const text = (value: unknown) => JSON.stringify(value);

describe('the user pool', () => {
  test('no self sign-up: only an admin adds people (AdminCreateUser invites them)', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPool', { AdminCreateUserConfig: { AllowAdminCreateUserOnly: true } });
  });

  test('email is the user name, verified; a password policy; optional TOTP, no SMS', () => {
    const pool = propertiesOf(dev.template, logicalId(dev.stack.accounts.userPool));
    expect(pool.UsernameAttributes).toEqual(['email']);
    expect(pool.AutoVerifiedAttributes).toEqual(['email']);
    expect(pool.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true });
    expect(pool.MfaConfiguration).toBe('OPTIONAL');
    expect(pool.EnabledMfas).toEqual(['SOFTWARE_TOKEN_MFA']);
  });

  test('the invitation names the dashboard’s URL', () => {
    const pool = propertiesOf(dev.template, logicalId(dev.stack.accounts.userPool));
    expect(text(pool.AdminCreateUserConfig.InviteMessageTemplate.EmailMessage)).toContain(logicalId(dev.stack.hosting.distribution));
  });

  test('one group per role', () => {
    const groups = Object.values(dev.template.findResources('AWS::Cognito::UserPoolGroup')).map((g) => g.Properties.GroupName).sort();
    expect(groups).toEqual(['admin', 'editor', 'member']);
  });
});

describe('the dashboard’s app client', () => {
  test('authorization code only (PKCE in the page), no secret, Cognito’s own sign-in, back to the dashboard', () => {
    const client = propertiesOf(dev.template, logicalId(dev.stack.accounts.client));
    expect(client).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: expect.arrayContaining(['openid', 'email', 'profile']),
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    expect(client.GenerateSecret).toBeFalsy();
    expect(text(client.CallbackURLs)).toContain(logicalId(dev.stack.hosting.distribution));
  });

  test('the managed login has a domain and Cognito’s own style', () => {
    dev.template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { ManagedLoginVersion: 2 });
    dev.template.hasResourceProperties('AWS::Cognito::ManagedLoginBranding', { UseCognitoProvidedValues: true });
  });
});

describe('the hosted dashboard', () => {
  test('a private, encrypted bucket that refuses plain HTTP', () => {
    const bucket = propertiesOf(dev.template, logicalId(dev.stack.hosting.bucket));
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption).toBeDefined();
    const policy = Object.values(dev.template.findResources('AWS::S3::BucketPolicy')).find((p) => text(p.Properties.Bucket).includes(logicalId(dev.stack.hosting.bucket)))!;
    expect(text(policy.Properties.PolicyDocument)).toContain('aws:SecureTransport');
  });

  test('CloudFront reads it through an origin access control, and only CloudFront', () => {
    dev.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const policy = Object.values(dev.template.findResources('AWS::S3::BucketPolicy')).find((p) => text(p.Properties.Bucket).includes(logicalId(dev.stack.hosting.bucket)))!;
    const reads = policy.Properties.PolicyDocument.Statement.filter((s: { Action: unknown }) => text(s.Action).includes('s3:GetObject'));
    expect(reads).toEqual([expect.objectContaining({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' } })]);
    expect(text(reads[0].Condition)).toContain(logicalId(dev.stack.hosting.distribution));
  });

  test('HTTPS only: the page redirects to it, /api/* accepts nothing else', () => {
    const config = propertiesOf(dev.template, logicalId(dev.stack.hosting.distribution)).DistributionConfig;
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.DefaultRootObject).toBe('index.html');
    const api = config.CacheBehaviors.find((b: { PathPattern: string }) => b.PathPattern === '/api/*');
    expect(api.ViewerProtocolPolicy).toBe('https-only');
  });

  test('/api/* goes to the HTTP API on the same origin: every method, never cached, every header but Host (the token included)', () => {
    const config = propertiesOf(dev.template, logicalId(dev.stack.hosting.distribution)).DistributionConfig;
    expect(config.CacheBehaviors).toHaveLength(1);
    const api = config.CacheBehaviors[0];
    expect(api.AllowedMethods).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD']));
    expect(api.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad'); // CachingDisabled
    expect(api.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac'); // AllViewerExceptHostHeader
    const origin = config.Origins.find((o: { Id: string }) => o.Id === api.TargetOriginId);
    expect(origin.CustomOriginConfig.OriginProtocolPolicy).toBe('https-only');
    expect(text(origin.DomainName)).toContain(logicalId(dev.stack.http.api));
  });

  test('the security headers: the local server’s CSP, plus Cognito’s origins for sign-in; no framing, no sniffing, HSTS', () => {
    const policy = propertiesOf(dev.template, logicalId(dev.stack.hosting.headers)).ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = text(policy.ContentSecurityPolicy.ContentSecurityPolicy);
    for (const directive of DASHBOARD_CSP.split('; ').filter((d) => !d.startsWith('connect-src'))) expect(csp).toContain(directive);
    expect(csp).toContain("connect-src 'self' https://cognito-idp.");
    expect(csp).toContain('.amazoncognito.com');
    expect(dashboardCsp()).toBe(DASHBOARD_CSP);
    expect(policy).toMatchObject({
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ContentTypeOptions: { Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer' },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: true },
    });
  });

  test('the build and the page’s config.json are uploaded, and the distribution invalidated', () => {
    const deployment = Object.values(dev.template.findResources('Custom::CDKBucketDeployment'))[0].Properties;
    expect(deployment.SourceObjectKeys).toHaveLength(2);
    expect(text(deployment.DestinationBucketName)).toContain(logicalId(dev.stack.hosting.bucket));
    expect(text(deployment.DistributionId)).toContain(logicalId(dev.stack.hosting.distribution));
    const markers = text(deployment.SourceMarkers);
    for (const id of [logicalId(dev.stack.accounts.userPool), logicalId(dev.stack.accounts.client)]) expect(markers).toContain(id);
  });

  test('its URL is an output', () => {
    expect(text(dev.template.toJSON().Outputs.DashboardUrl.Value)).toContain(logicalId(dev.stack.hosting.distribution));
    expect(custom.template.toJSON().Outputs.DashboardUrl.Value).toBe('https://calls-admin.example.com/');
  });

  test('a custom domain (context dashboardDomain) gets its certificate and TLS 1.2 at least', () => {
    const config = propertiesOf(custom.template, logicalId(custom.stack.hosting.distribution)).DistributionConfig;
    expect(config.Aliases).toEqual(['calls-admin.example.com']);
    expect(config.ViewerCertificate).toMatchObject({ AcmCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc-123', MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' });
    custom.template.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['https://calls-admin.example.com/'] });
  });
});

test('the user pool and the web bucket follow the stage’s removal policy', () => {
  const prod = synthSwitchboard({ stage: 'prod' });
  for (const [synth, policy] of [[dev, 'Delete'], [prod, 'Retain']] as const) {
    expect(synth.template.toJSON().Resources[logicalId(synth.stack.accounts.userPool)].DeletionPolicy).toBe(policy);
    expect(synth.template.toJSON().Resources[logicalId(synth.stack.hosting.bucket)].DeletionPolicy).toBe(policy);
  }
});

describe('invitations (the admin function)', () => {
  test('may create, group and delete users in this pool only, and knows its id', () => {
    const fn = propertiesOf(dev.template, logicalId(dev.stack.admin.function));
    expect(fn.Environment.Variables.USER_POOL_ID).toEqual({ Ref: logicalId(dev.stack.accounts.userPool) });
    const policies = Object.values(dev.template.findResources('AWS::IAM::Policy')).filter((p) => text(p.Properties.Roles).includes(logicalId(dev.stack.admin.function.role!)));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement).filter((s: { Action: unknown }) => text(s.Action).includes('cognito-idp'));
    expect(statements).toEqual([
      {
        Effect: 'Allow',
        Action: ['cognito-idp:AdminCreateUser', 'cognito-idp:AdminAddUserToGroup', 'cognito-idp:AdminDeleteUser', 'cognito-idp:AdminListGroupsForUser', 'cognito-idp:AdminRemoveUserFromGroup'],
        Resource: { 'Fn::GetAtt': [logicalId(dev.stack.accounts.userPool), 'Arn'] },
      },
    ]);
  });
});
