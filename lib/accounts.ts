import { Aws, Duration, Fn, type RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccountRecovery,
  CfnManagedLoginBranding,
  CfnUserPoolGroup,
  ManagedLoginVersion,
  Mfa,
  OAuthScope,
  UserPool,
  UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import type { SwitchboardFunction } from './switchboard-function';
import { ROLES } from '../lambdas/flows/roles';

export interface SwitchboardAccountsProps {
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
  /** The dashboard's URL (CloudFront's, or the custom domain), without a trailing slash: sign-in comes back to it. */
  readonly dashboardUrl: string;
}

/**
 * The team's accounts (DESIGN.md section 16): a Cognito user pool that only an admin can add people to
 * (AdminCreateUser sends the invitation), email as the user name, a password policy, optional TOTP; one
 * group per role; the dashboard's app client (authorization code with PKCE, no secret: it is a page); the
 * managed login on a Cognito domain; and the JWT authorizer that the HTTP API puts on the browser's /api/*.
 */
export class SwitchboardAccounts extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly authorizer: HttpJwtAuthorizer;
  /** The OpenID issuer: https://cognito-idp.<region>.amazonaws.com/<pool id>. */
  readonly issuer: string;
  /** The managed login's base URL (its /oauth2/token is where the page trades its code). */
  readonly loginUrl: string;

  constructor(scope: Construct, id: string, props: SwitchboardAccountsProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'Users', {
      userPoolName: `switchboard-${props.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true, username: false },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true }, fullname: { required: false, mutable: true } },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(7) },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      userInvitation: {
        emailSubject: 'You are invited to Switchboard',
        emailBody: `You have been given a Switchboard account. Sign in at ${props.dashboardUrl}/ with your email ({username}) and this temporary password: {####}`,
      },
      removalPolicy: props.removalPolicy,
      deletionProtection: false,
    });
    Validations.of(this.userPool).acknowledge({
      id: 'AwsSolutions-COG2',
      reason: 'MFA is optional by design (DESIGN.md section 16: optional TOTP): members sign in from their phones; an admin may require it per person',
    });
    for (const id of ['AwsSolutions-COG3', 'AwsSolutions-COG8']) {
      Validations.of(this.userPool).acknowledge({
        id,
        reason: 'Threat protection needs the Plus feature plan (billed per user); the pool has no self sign-up and holds only the accounts an admin invited',
      });
    }

    // Roles are groups; precedence makes Cognito's preferred role the highest one (the API takes the highest anyway).
    ROLES.forEach((role, i) => new CfnUserPoolGroup(this, `Group-${role}`, { userPoolId: this.userPool.userPoolId, groupName: role, precedence: ROLES.length - i, description: `Switchboard ${role}s` }));

    this.client = this.userPool.addClient('Dashboard', {
      userPoolClientName: 'dashboard',
      generateSecret: false,
      authFlows: {},
      preventUserExistenceErrors: true,
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [`${props.dashboardUrl}/`],
        logoutUrls: [`${props.dashboardUrl}/`],
      },
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
      enableTokenRevocation: true,
    });

    // A Cognito domain: the prefix must be unique in the region, so the account number is part of it.
    const domainPrefix = Fn.join('-', ['switchboard', props.stage, Aws.ACCOUNT_ID]);
    this.domain = this.userPool.addDomain('Login', {
      cognitoDomain: { domainPrefix },
      managedLoginVersion: ManagedLoginVersion.NEWER_MANAGED_LOGIN,
    });
    // The newer managed login shows nothing until the client has a style: Cognito's own.
    new CfnManagedLoginBranding(this, 'LoginStyle', { userPoolId: this.userPool.userPoolId, clientId: this.client.userPoolClientId, useCognitoProvidedValues: true });

    this.issuer = this.userPool.userPoolProviderUrl;
    // Spelled from the prefix, not read from the domain resource: the dashboard's CSP names it, and the
    // pool's invitation names the dashboard, so a reference would be a cycle.
    this.loginUrl = Fn.join('', ['https://', domainPrefix, '.auth.', Aws.REGION, '.amazoncognito.com']);
    // The page sends its ID token (aud = the client id; it carries email and cognito:groups, which the API reads).
    this.authorizer = new HttpJwtAuthorizer('CognitoAuthorizer', this.issuer, {
      authorizerName: 'cognito',
      jwtAudience: [this.client.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
  }

  /**
   * What invitations need (lambdas/accounts/cognito-accounts.ts): create a user, put them in their role's
   * group, delete them, and mirror a role changed in Users & groups (list, add, remove groups); in this pool only. The pool's id reaches the handler under ENV.userPoolId.
   */
  allowInvitations(fn: SwitchboardFunction): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'cognito-idp:AdminCreateUser',
          'cognito-idp:AdminAddUserToGroup',
          'cognito-idp:AdminDeleteUser',
          'cognito-idp:AdminListGroupsForUser',
          'cognito-idp:AdminRemoveUserFromGroup',
        ],
        resources: [this.userPool.userPoolArn],
      }),
    );
    fn.addEnvironment(ENV.userPoolId, this.userPool.userPoolId);
  }
}
