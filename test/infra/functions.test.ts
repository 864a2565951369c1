import { Match } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { TABLES, TABLE_KEYS, type TableKey } from '../../lambdas/store/tables';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];
const READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'];

let synth: Synthesized;
let withPublicUrl: Synthesized;

beforeAll(() => {
  synth = synthSwitchboard();
  withPublicUrl = synthSwitchboard({ publicUrl: 'https://calls.example.com' });
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Every statement of the policies attached to the function's role. */
function statementsOf(s: Synthesized, fn: IFunction): Statement[] {
  const roleId = logicalId(fn.role!);
  const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** The actions the function may perform on the table (or its indexes). */
function tableActions(s: Synthesized, fn: IFunction, key: TableKey): string[] {
  const tableId = logicalId(s.stack.data.tables[key]);
  const mentions = (resource: unknown) => JSON.stringify(resource).includes(`"${tableId}"`);
  return statementsOf(s, fn)
    .filter((st) => st.Effect === 'Allow' && [st.Resource].flat().some(mentions))
    .flatMap((st) => [st.Action].flat());
}

const functions = () => ({
  admin: synth.stack.admin.function,
  voice: synth.stack.webhooks.voice,
  sms: synth.stack.webhooks.sms,
  report: synth.stack.report.function,
  fallback: synth.stack.webhooks.fallback,
  drain: synth.stack.spill.drain,
});
const functionNames = ['admin', 'voice', 'sms', 'report', 'fallback', 'drain'] as const;
const env = (s: Synthesized, fn: IFunction) => propertiesOf(s.template, logicalId(fn)).Environment.Variables as Record<string, unknown>;

describe('every function has the project defaults', () => {
  test('there are six functions, one per job', () => {
    synth.template.resourceCountIs('AWS::Lambda::Function', 6);
  });

  test.each(functionNames)('the %s function runs Node.js 22 on arm64', (name) => {
    const props = propertiesOf(synth.template, logicalId(functions()[name]));
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
  });

  test.each(functionNames)('the %s function logs JSON into its own log group', (name) => {
    const fn = functions()[name];
    expect(propertiesOf(synth.template, logicalId(fn)).LoggingConfig).toEqual({
      LogFormat: 'JSON',
      LogGroup: { Ref: logicalId(fn.logGroup) },
    });
  });

  test.each(functionNames)('the %s function maps stack traces through source maps', (name) => {
    expect(env(synth, functions()[name]).NODE_OPTIONS).toBe('--enable-source-maps');
  });

  test.each(functionNames)('the %s function has 512 MB', (name) => {
    expect(propertiesOf(synth.template, logicalId(functions()[name])).MemorySize).toBe(512);
  });

  test.each(['voice', 'sms', 'fallback'] as const)('the %s webhook times out after 10 s, well within Twilio’s 15 s', (name) => {
    expect(propertiesOf(synth.template, logicalId(functions()[name])).Timeout).toBe(10);
  });

  test.each(functionNames)('the %s function’s role has no managed policy (it may write only to its own log group)', (name) => {
    const fn = functions()[name];
    const role = propertiesOf(synth.template, logicalId(fn.role!));
    expect(role.ManagedPolicyArns).toBeUndefined();
    const logStatements = statementsOf(synth, fn).filter((st) => [st.Action].flat().some((a) => a.startsWith('logs:')));
    expect(logStatements).toEqual([
      expect.objectContaining({ Resource: { 'Fn::GetAtt': [logicalId(fn.logGroup), 'Arn'] } }),
    ]);
  });
});

describe('table grants and their environment variables come together', () => {
  const access: Record<(typeof functionNames)[number], Partial<Record<TableKey, 'read' | 'write' | 'readWrite'>>> = {
    admin: { numbers: 'readWrite', flows: 'readWrite', directory: 'readWrite', state: 'readWrite', messages: 'read', traces: 'read' },
    voice: { numbers: 'read', flows: 'read', directory: 'read', messages: 'readWrite', traces: 'readWrite', state: 'readWrite' },
    sms: { numbers: 'read', flows: 'read', directory: 'read', messages: 'readWrite', traces: 'readWrite', state: 'readWrite' },
    report: { numbers: 'read', flows: 'read', state: 'readWrite' },
    // Needs no DynamoDB at all: it answers when DynamoDB (or the voice function) is what failed.
    fallback: {},
    // Replays with the webhooks' writes (UpdateItem, conditional PutItem): it never reads them back. It
    // reads the number's flow and the people to notify to route an item kept while that flow could not be read,
    // and the opt-outs (state) before it texts anyone (DESIGN.md section 17).
    drain: { messages: 'write', state: 'readWrite', numbers: 'read', flows: 'read', directory: 'read' },
  };
  const cases = functionNames.flatMap((name) => TABLE_KEYS.map((key) => [name, key, access[name][key] ?? 'none'] as const));

  test.each(cases)('the %s function has %s access: %s', (name, key, level) => {
    const actions = tableActions(synth, functions()[name], key);
    if (level === 'none') expect(actions).toEqual([]);
    else if (level === 'write') for (const read of READ_ACTIONS) expect(actions).not.toContain(read);
    else expect(actions).toEqual(expect.arrayContaining(READ_ACTIONS));
    if (level === 'readWrite' || level === 'write') expect(actions).toEqual(expect.arrayContaining(WRITE_ACTIONS));
    else for (const write of WRITE_ACTIONS) expect(actions).not.toContain(write);
  });

  test.each(cases)('the %s function knows the %s table name only when granted (%s)', (name, key, level) => {
    const value = env(synth, functions()[name])[TABLES[key].envVar];
    if (level === 'none') expect(value).toBeUndefined();
    else expect(value).toEqual({ Ref: logicalId(synth.stack.data.tables[key]) });
  });

  test('least privilege: the voice webhook cannot write flows, the admin API can', () => {
    const voice = tableActions(synth, synth.stack.webhooks.voice, 'flows');
    const admin = tableActions(synth, synth.stack.admin.function, 'flows');
    expect(voice.some((a) => WRITE_ACTIONS.includes(a))).toBe(false);
    expect(admin).toEqual(expect.arrayContaining(WRITE_ACTIONS));
  });

  test('index grants are limited to the granted table’s own indexes; "*" only for X-Ray, which has no resource ARNs', () => {
    const flowsId = logicalId(synth.stack.data.tables.flows);
    const statements = statementsOf(synth, synth.stack.webhooks.voice);
    const resources = statements.flatMap((st) => [st.Resource].flat());
    expect(resources).toContainEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [flowsId, 'Arn'] }, '/index/*']] });
    const wildcard = statements.filter((st) => [st.Resource].flat().includes('*'));
    expect(wildcard.flatMap((st) => [st.Action].flat()).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });
});

describe('webhook configuration', () => {
  test.each(['voice', 'sms', 'fallback'] as const)('the %s webhook can read the Twilio auth token and knows its ARN', (name) => {
    const fn = functions()[name];
    const secretId = logicalId(synth.stack.webhooks.authToken);
    expect(env(synth, fn).TWILIO_AUTH_TOKEN_SECRET_ARN).toEqual({ Ref: secretId });
    expect(statementsOf(synth, fn)).toContainEqual(
      expect.objectContaining({
        Action: expect.arrayContaining(['secretsmanager:GetSecretValue']),
        Resource: { Ref: secretId },
      }),
    );
  });

  // The admin API and the report read it for the carrier link: test/infra/carrier-link.test.ts.
  // Late routing sends the notifications, replies and forwards of an outage's texts and voicemails.
  test('the spill drain can read the Twilio secret (the carrier link) and knows its ARN', () => {
    const secretId = logicalId(synth.stack.webhooks.authToken);
    expect(env(synth, synth.stack.spill.drain).TWILIO_AUTH_TOKEN_SECRET_ARN).toEqual({ Ref: secretId });
    expect(statementsOf(synth, synth.stack.spill.drain)).toContainEqual(
      expect.objectContaining({ Action: expect.arrayContaining(['secretsmanager:GetSecretValue']), Resource: { Ref: secretId } }),
    );
  });

  test('the auth token secret is created with a generated placeholder value', () => {
    synth.template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 32 }),
    });
  });

  test('PUBLIC_URL is passed to every webhook when publicUrl is given', () => {
    for (const fn of [withPublicUrl.stack.webhooks.voice, withPublicUrl.stack.webhooks.sms, withPublicUrl.stack.webhooks.fallback]) {
      expect(env(withPublicUrl, fn).PUBLIC_URL).toBe('https://calls.example.com');
    }
  });

  test('PUBLIC_URL is not set without publicUrl (the handlers use the request URL)', () => {
    for (const fn of [synth.stack.webhooks.voice, synth.stack.webhooks.sms, synth.stack.webhooks.fallback]) {
      expect(env(synth, fn).PUBLIC_URL).toBeUndefined();
    }
  });
});

describe('handlers as the Lambda ecosystem runs them (DESIGN.md section 14)', () => {
  test.each(['admin', 'voice', 'sms', 'report', 'fallback', 'drain'])('the %s function has active X-Ray tracing and puts its metrics in the stage namespace', (name) => {
    const props = propertiesOf(synth.template, logicalId(functions()[name as keyof ReturnType<typeof functions>]));
    expect(props.TracingConfig).toEqual({ Mode: 'Active' });
    expect(props.Environment.Variables.POWERTOOLS_METRICS_NAMESPACE).toBe('Switchboard/dev');
  });

  test.each(['voice', 'sms', 'fallback'] as const)('the %s webhook alarms on its own errors and throttles, to the alert topic', (name) => {
    const fnId = logicalId(functions()[name]);
    const topicId = logicalId(synth.stack.report.topic);
    for (const metricName of ['Errors', 'Throttles']) {
      synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
        Threshold: 1,
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  test('the HTTP API 5xx and the safe answers after an error or the deadline alarm to the alert topic', () => {
    const topicId = logicalId(synth.stack.report.topic);
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '5xx', AlarmActions: [{ Ref: topicId }] });
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Metrics: Match.arrayWith([
        Match.objectLike({ MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'SafeAnswers', Dimensions: Match.arrayWith([{ Name: 'reason', Value: 'timeout' }]) }) }) }),
      ]),
      AlarmActions: [{ Ref: topicId }],
    });
  });

  test('a CloudWatch dashboard shows the webhooks: answers, safe answers, latency, errors', () => {
    const dashboards = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0].Properties.DashboardBody);
    for (const title of ['Answers', 'Safe answers by reason', 'Latency (p50, p99)', 'Errors, throttles, 5xx']) expect(body).toContain(title);
  });
});
