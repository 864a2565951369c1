import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

let dev: Synthesized;
let withPublicUrl: Synthesized;

beforeAll(() => {
  dev = synthSwitchboard();
  withPublicUrl = synthSwitchboard({ publicUrl: 'https://calls.example.com/' });
});

const routeKeys = (synth: Synthesized) =>
  Object.values(synth.template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey as string);

const routeByKey = (synth: Synthesized, routeKey: string) => {
  const routes = synth.template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } });
  const found = Object.values(routes);
  expect(found).toHaveLength(1);
  return found[0].Properties;
};

/** The Lambda a route ends up in, through its integration. */
const functionOfRoute = (synth: Synthesized, routeKey: string): string => {
  const integrationId = routeByKey(synth, routeKey).Target['Fn::Join'][1][1].Ref;
  return propertiesOf(synth.template, integrationId).IntegrationUri['Fn::GetAtt'][0];
};

describe('one HTTP API for the admin API and the webhooks', () => {
  test('there is exactly one HTTP API', () => {
    dev.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
  });

  test('it serves exactly the admin and webhook routes', () => {
    expect(routeKeys(dev).sort()).toEqual(
      ['ANY /api/{proxy+}', 'ANY /cli/api/{proxy+}', 'POST /twilio/fallback', 'POST /twilio/message-status', 'POST /twilio/sms', 'POST /twilio/voice', 'POST /twilio/voice/{proxy+}'].sort(),
    );
  });

  test("the browser's admin routes require a Cognito token (the JWT authorizer of the user pool's dashboard client)", () => {
    const route = routeByKey(dev, 'ANY /api/{proxy+}');
    expect(route.AuthorizationType).toBe('JWT');
    const authorizer = propertiesOf(dev.template, route.AuthorizerId.Ref);
    expect(authorizer).toMatchObject({
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Audience: [{ Ref: logicalId(dev.stack.accounts.client) }] },
    });
    expect(JSON.stringify(authorizer.JwtConfiguration.Issuer)).toContain(logicalId(dev.stack.accounts.userPool));
  });

  test("the command-line tools' admin routes (/cli/api/*) require IAM (SigV4) authorization", () => {
    expect(routeByKey(dev, 'ANY /cli/api/{proxy+}').AuthorizationType).toBe('AWS_IAM');
  });

  test('every admin route has one authorizer or the other: nothing under /api/ answers without one', () => {
    for (const key of routeKeys(dev).filter((k) => k.includes('/api/'))) expect(['JWT', 'AWS_IAM']).toContain(routeByKey(dev, key).AuthorizationType);
  });

  test.each(['POST /twilio/voice', 'POST /twilio/fallback', 'POST /twilio/voice/{proxy+}', 'POST /twilio/sms'])(
    'webhook route %s has no API Gateway authorizer (the Twilio signature authenticates it)',
    (routeKey) => {
      expect(routeByKey(dev, routeKey).AuthorizationType).toBe('NONE');
    },
  );

  test('both admin routes reach the admin Lambda', () => {
    expect(functionOfRoute(dev, 'ANY /api/{proxy+}')).toBe(logicalId(dev.stack.admin.function));
    expect(functionOfRoute(dev, 'ANY /cli/api/{proxy+}')).toBe(logicalId(dev.stack.admin.function));
  });

  test.each(['POST /twilio/voice', 'POST /twilio/voice/{proxy+}'])('%s reaches the voice webhook Lambda', (routeKey) => {
    expect(functionOfRoute(dev, routeKey)).toBe(logicalId(dev.stack.webhooks.voice));
  });

  test('POST /twilio/fallback reaches its own fallback Lambda, not the voice one (which may be what failed)', () => {
    expect(functionOfRoute(dev, 'POST /twilio/fallback')).toBe(logicalId(dev.stack.webhooks.fallback));
  });

  test('POST /twilio/sms reaches the sms webhook Lambda', () => {
    expect(functionOfRoute(dev, 'POST /twilio/sms')).toBe(logicalId(dev.stack.webhooks.sms));
  });

  test('Lambdas receive the API Gateway v2 event format', () => {
    dev.template.allResourcesProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
  });
});

describe('the default stage', () => {
  test('deploys automatically as $default', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
  });

  test('is throttled by default (a route without settings of its own)', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
    });
  });

  const stage = () => Object.entries(dev.template.findResources('AWS::ApiGatewayV2::Stage'))[0];
  const webhookRoutes = ['POST /twilio/voice', 'POST /twilio/voice/{proxy+}', 'POST /twilio/sms', 'POST /twilio/fallback'];

  test.each(webhookRoutes)('the carrier route %s has a throttle of its own, higher than the admin API’s', (routeKey) => {
    expect(stage()[1].Properties.RouteSettings[routeKey]).toEqual({ ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 });
  });

  test('the admin API has a throttle of its own, apart from the carrier’s: an admin burst cannot throttle Twilio', () => {
    expect(stage()[1].Properties.RouteSettings['ANY /api/{proxy+}']).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    expect(stage()[1].Properties.RouteSettings['ANY /cli/api/{proxy+}']).toEqual({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 });
    // One setting per route: none is left to the stage default, none names a route that does not exist.
    expect(Object.keys(stage()[1].Properties.RouteSettings).sort()).toEqual(routeKeys(dev).sort());
  });

  test('the stage is deployed after the routes its settings name (CloudFormation refuses settings for an unknown route key)', () => {
    const routeIds = Object.keys(dev.template.findResources('AWS::ApiGatewayV2::Route'));
    expect(stage()[1].DependsOn).toEqual(expect.arrayContaining(routeIds));
  });

  test('writes access logs to its log group', () => {
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(dev.stack.http.accessLogs), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  test('access logs carry the route key, never the path or query string (they hold phone numbers and call state)', () => {
    const stage = Object.values(dev.template.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    const fields = Object.values(format);
    expect(fields).toContain('$context.routeKey');
    expect(fields).not.toContain('$context.path');
    expect(fields.join(' ')).not.toMatch(/querystring|rawQueryString/i);
  });
});

describe('outputs', () => {
  const outputValue = (synth: Synthesized, name: string) => synth.template.toJSON().Outputs[name].Value;
  const apiUrlParts = (suffix: string) => ({
    'Fn::Join': ['', ['https://', { Ref: logicalId(dev.stack.http.api) }, '.execute-api.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }, suffix]],
  });

  test('the API URL is an output', () => {
    expect(outputValue(dev, 'ApiUrl')).toEqual(apiUrlParts('/'));
  });

  test.each([
    ['VoiceWebhookUrl', '/twilio/voice'],
    ['SmsWebhookUrl', '/twilio/sms'],
    ['FallbackWebhookUrl', '/twilio/fallback'],
  ])('%s is the API URL + %s without a public URL', (name, path) => {
    expect(outputValue(dev, name)).toEqual(apiUrlParts(path));
  });

  test('webhook URLs use the public URL when it is given (Twilio must call the URL signatures are checked against)', () => {
    expect(outputValue(withPublicUrl, 'VoiceWebhookUrl')).toBe('https://calls.example.com/twilio/voice');
    expect(outputValue(withPublicUrl, 'SmsWebhookUrl')).toBe('https://calls.example.com/twilio/sms');
    expect(outputValue(withPublicUrl, 'FallbackWebhookUrl')).toBe('https://calls.example.com/twilio/fallback');
  });

  test('the Twilio secret ARN and the alert topic ARN are outputs', () => {
    expect(outputValue(dev, 'TwilioAuthTokenSecretArn')).toEqual({ Ref: logicalId(dev.stack.webhooks.authToken) });
    expect(outputValue(dev, 'AlertTopicArn')).toEqual({ Ref: logicalId(dev.stack.report.topic) });
  });
});
