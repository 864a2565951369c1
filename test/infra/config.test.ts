import { App, RemovalPolicy } from 'aws-cdk-lib';
import { checkScheduleExpression, readSwitchboardConfig } from '../../lib/config';
import { addSwitchboard } from '../../lib/switchboard-app';

const configOf = (context: Record<string, unknown>) => readSwitchboardConfig(new App({ context }).node);

describe('context settings', () => {
  test('defaults: stage dev, hourly report, no email, no public URL, disposable resources', () => {
    expect(configOf({})).toEqual({
      stage: 'dev',
      production: false,
      removalPolicy: RemovalPolicy.DESTROY,
      alertEmail: undefined,
      publicUrl: undefined,
      reportSchedule: 'rate(1 hour)',
      warmVoice: 0,
      emailFrom: undefined,
      dashboardUrl: undefined,
    });
  });

  test('emailFrom is a verified SES identity: an address or a domain; dashboardUrl an http(s) URL', () => {
    expect(configOf({ emailFrom: 'voicemail@example.com', dashboardUrl: 'https://switchboard.example.com/' })).toMatchObject({
      emailFrom: 'voicemail@example.com', dashboardUrl: 'https://switchboard.example.com',
    });
    expect(configOf({ emailFrom: 'mail.example.com' }).emailFrom).toBe('mail.example.com');
    expect(() => configOf({ emailFrom: 'not an identity' })).toThrow(/emailFrom/);
    expect(() => configOf({ dashboardUrl: 'ftp://example.com' })).toThrow(/dashboardUrl/);
  });

  test('stage prod is production and retains its resources', () => {
    expect(configOf({ stage: 'prod' })).toMatchObject({ production: true, removalPolicy: RemovalPolicy.RETAIN });
  });

  test('a trailing slash is dropped from publicUrl (the handlers append paths to it)', () => {
    expect(configOf({ publicUrl: 'https://calls.example.com/' }).publicUrl).toBe('https://calls.example.com');
  });

  test.each(['rate(1 hour)', 'rate(15 minutes)', 'rate(1 day)', 'rate(2 days)', 'cron(0 8 * * ? *)', 'cron(0/30 8-18 ? * MON-FRI *)'])(
    'accepts the schedule %s',
    (expression) => {
      expect(checkScheduleExpression(expression)).toBeUndefined();
      expect(configOf({ reportSchedule: expression }).reportSchedule).toBe(expression);
    },
  );

  test.each(['every hour', 'rate(1 hours)', 'rate(5 minute)', 'rate(0 minutes)', 'rate(1 week)', 'cron(0 8 * * *)'])(
    'rejects the schedule "%s" before anything is built',
    (expression) => {
      expect(() => configOf({ reportSchedule: expression })).toThrow(/reportSchedule/);
    },
  );

  test('an empty reportSchedule (e.g. -c reportSchedule=) means the default', () => {
    expect(configOf({ reportSchedule: '' }).reportSchedule).toBe('rate(1 hour)');
  });

  test('a bad schedule fails synth with a message naming the setting and the accepted forms', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], reportSchedule: 'hourly' } });
    expect(() => addSwitchboard(app)).toThrow(/context reportSchedule "hourly" must be an EventBridge schedule expression: rate\(.*\) or cron\(.*\)/);
  });

  test('rejects an alertEmail that is not an email address', () => {
    expect(() => configOf({ alertEmail: 'oncall' })).toThrow(/alertEmail "oncall" is not an email address/);
  });

  test.each(['http://calls.example.com', 'calls.example.com', 'https://calls.example.com/?x=1'])('rejects the publicUrl %s', (url) => {
    expect(() => configOf({ publicUrl: url })).toThrow(/publicUrl/);
  });

  test.each(['Prod', 'my_stage', '1st', 'a'.repeat(33)])('rejects the stage name %s (it is part of the stack name)', (stage) => {
    expect(() => configOf({ stage })).toThrow(/context stage/);
  });

  test('reports every bad setting at once', () => {
    expect(() => configOf({ stage: 'Bad', alertEmail: 'x', reportSchedule: 'y' })).toThrow(/stage[\s\S]*alertEmail[\s\S]*reportSchedule/);
  });

  test('rejects a context value that is not a string (e.g. a number from cdk.json)', () => {
    expect(() => configOf({ reportSchedule: 5 })).toThrow(/reportSchedule must be a string/);
  });

  test.each([['2', 2], [3, 3], ['0', 0]] as const)('warmVoice %j is %d provisioned voice environments', (value, count) => {
    expect(configOf({ warmVoice: value }).warmVoice).toBe(count);
  });

  test.each(['-1', 'two', '1.5', 101, true])('rejects warmVoice %j', (value) => {
    expect(() => configOf({ warmVoice: value })).toThrow(/context warmVoice .* must be a whole number from 0 to 100/);
  });
});

describe('warmVoice in the stack', () => {
  const { Template, Match } = jest.requireActual<typeof import('aws-cdk-lib/assertions')>('aws-cdk-lib/assertions');
  const synth = (context: Record<string, unknown>) => Template.fromStack(addSwitchboard(new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } })));

  test('by default the voice function has no alias and no provisioned concurrency: the route invokes the function', () => {
    const template = synth({});
    template.resourceCountIs('AWS::Lambda::Alias', 0);
  });

  test('warmVoice=2 keeps two voice environments initialised on a live alias, and the voice routes invoke that alias', () => {
    const template = synth({ warmVoice: '2' });
    template.resourceCountIs('AWS::Lambda::Alias', 1);
    const [aliasId] = Object.keys(template.findResources('AWS::Lambda::Alias', { Properties: { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } } }));
    expect(aliasId).toBeDefined();
    // The voice integration's URI is the alias, not the function's latest version.
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationUri: { Ref: aliasId } });
    template.resourceCountIs('AWS::ApiGatewayV2::Integration', Object.keys(synth({}).findResources('AWS::ApiGatewayV2::Integration')).length);
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { Ref: aliasId }, Principal: 'apigateway.amazonaws.com', Action: 'lambda:InvokeFunction', SourceArn: Match.anyValue() });
  });
});

describe('the dashboard’s custom domain', () => {
  const arn = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789';

  test('dashboardDomain and dashboardCertificateArn together give the hosted dashboard its domain', () => {
    expect(configOf({ dashboardDomain: 'Calls-Admin.example.com', dashboardCertificateArn: arn }).dashboardDomain).toEqual({ name: 'calls-admin.example.com', certificateArn: arn });
  });

  test.each([
    [{ dashboardDomain: 'calls-admin.example.com' }, /go together/],
    [{ dashboardCertificateArn: arn }, /go together/],
    [{ dashboardDomain: 'https://calls-admin.example.com', dashboardCertificateArn: arn }, /host name/],
    [{ dashboardDomain: 'calls-admin.example.com', dashboardCertificateArn: arn.replace('us-east-1', 'eu-west-1') }, /us-east-1/],
  ])('refuses %j before anything is built', (context, message) => {
    expect(() => configOf(context)).toThrow(message);
  });
});
