import { Match } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { TABLES, TABLE_KEYS, type TableKey } from '../../lambdas/store/tables';
import { logicalId, propertiesOf, statementsOf, synthSwitchboard, type Synthesized } from './synth';

const WRITE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem'];

let synth: Synthesized;
let withPublicUrl: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  synth = synthSwitchboard();
  withPublicUrl = synthSwitchboard({ publicUrl: 'https://calls.example.com' });
  prod = synthSwitchboard({ stage: 'prod', warmVoice: '2' });
});


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
  sender: synth.stack.outbound.sender,
  jobs: synth.stack.jobs.worker,
});
const functionNames = ['admin', 'voice', 'sms', 'report', 'fallback', 'drain', 'sender', 'jobs'] as const;
const env = (s: Synthesized, fn: IFunction) => propertiesOf(s.template, logicalId(fn)).Environment.Variables as Record<string, unknown>;

describe('every function has the project defaults', () => {
  test('there are eight functions, one per job, and CDK’s own that uploads the dashboard', () => {
    const ours = Object.keys(synth.template.findResources('AWS::Lambda::Function')).filter((id) => !id.startsWith('CustomCDKBucketDeployment'));
    expect(ours).toHaveLength(8);
    synth.template.resourceCountIs('AWS::Lambda::Function', 9);
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

/**
 * What each function's code does with each table (docs/data-model.md, "What each function may do"): the
 * actions on the table, and `dynamodb:Query` on each index it queries, `<table>/index/<name>`. Written out
 * here, not read from lib/, so a grant that grows fails a test.
 */
const GRANTS: Record<(typeof functionNames)[number], Record<string, string[]>> = {
  admin: {
    numbers: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'],
    'numbers/index/byFlow': ['Query'],
    'numbers/index/listed': ['Query'],
    'numbers/index/noFlow': ['Query'],
    flows: ['BatchGetItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
    'flows/index/heads': ['Query'],
    directory: ['DeleteItem', 'GetItem', 'PutItem', 'UpdateItem'],
    'directory/index/byKind': ['Query'],
    messages: ['DeleteItem', 'GetItem', 'UpdateItem'],
    'messages/index/byMailbox': ['Query'],
    traces: ['Query'],
    // The report's mark and events; schedule overrides (read one or a list's, set and clear); carrier sync jobs
    // (GetItem, conditional PutItem); the simulator's longest-idle reads who is on a call (BatchGetItem).
    state: ['BatchGetItem', 'GetItem', 'PutItem', 'Query'],
    // GET /api/carrier/messages, by status or all, newest first.
    'outbound/index/byStatus': ['Query'],
    'outbound/index/recent': ['Query'],
  },
  // Late routing (a voicemail or text whose flow could not be read, routed by the flow as it stood at
  // arrival) queries the flows table for the revisions' keys and times: the only Query of a webhook.
  voice: {
    numbers: ['GetItem'],
    flows: ['GetItem', 'Query'],
    directory: ['BatchGetItem'],
    messages: ['UpdateItem'],
    traces: ['PutItem'],
    // Its texts are queued: the sender reads the opt-outs. Queues: whether anyone still waits when a member
    // picks up an offer (Query of the queue's partition).
    state: ['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'],
  },
  sms: {
    numbers: ['GetItem'],
    flows: ['GetItem', 'Query'],
    directory: ['BatchGetItem'],
    // A text that closes or opens a schedule: its sender by phone, the schedules by name.
    'directory/index/byKind': ['Query'],
    'directory/index/byPhone': ['Query'],
    messages: ['PutItem'],
    traces: ['PutItem'],
    // Opt-outs: read before its answer texts anyone, recorded on STOP/START. Schedule overrides: read with
    // their schedules, set by text; wrong PINs counted (GetItem, UpdateItem).
    state: ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'],
    // The status callbacks of outbound texts (POST /twilio/message-status).
    outbound: ['UpdateItem'],
  },
  report: {
    numbers: ['GetItem'],
    'numbers/index/byFlow': ['Query'],
    'numbers/index/noFlow': ['Query'],
    'flows/index/heads': ['Query'],
    state: ['GetItem', 'PutItem', 'Query'],
  },
  // Needs no DynamoDB at all: it answers when DynamoDB (or the voice function) is what failed.
  fallback: {},
  // Replays with the webhooks' writes (UpdateItem, conditional PutItem): it never reads them back or deletes
  // them. It reads the number, its flow as it stood at arrival and the people to notify, for late routing.
  drain: {
    numbers: ['GetItem'],
    flows: ['GetItem', 'Query'],
    directory: ['BatchGetItem'],
    messages: ['PutItem', 'UpdateItem'],
    // Unrouted events and a late STOP/START; its texts are queued (the sender reads the opt-outs). Late
    // routing reads schedule overrides with their schedules (BatchGetItem).
    state: ['BatchGetItem', 'PutItem'],
    // A delivery status kept during an outage.
    outbound: ['UpdateItem'],
  },
  // The outbound sender: opt-outs read before each send, a 21610 refusal recorded.
  sender: {
    state: ['BatchGetItem', 'PutItem'],
    // Each text's record: queued (conditional PutItem), then its Sid or the refusal (UpdateItem).
    outbound: ['PutItem', 'UpdateItem'],
  },
  // Does what the webhooks handed off: voicemail emails (no table); queues' offers (the queue's partition,
  // offers placed, members' presence; the people its targets name).
  jobs: {
    directory: ['BatchGetItem'],
    state: ['BatchGetItem', 'Query', 'UpdateItem'],
  },
};

/**
 * Every DynamoDB action the function's role allows, by what it is allowed on: `numbers` (the table) or
 * `numbers/index/byFlow`; any other resource (a wildcard, another ARN) under its JSON.
 */
function dynamoGrants(s: Synthesized, fn: IFunction): Record<string, string[]> {
  const keyOf = new Map(TABLE_KEYS.map((key) => [logicalId(s.stack.data.tables[key]), key]));
  const arnOf = (r: unknown): string | undefined => {
    const att = (r as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    return att?.[1] === 'Arn' ? keyOf.get(att[0]) : undefined;
  };
  const nameOf = (resource: unknown): string => {
    const table = arnOf(resource);
    if (table) return table;
    const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
    if (join && join[0] === '' && join[1].length === 2 && arnOf(join[1][0]) && typeof join[1][1] === 'string') return `${arnOf(join[1][0])}${join[1][1]}`;
    return JSON.stringify(resource);
  };
  const grants: Record<string, Set<string>> = {};
  for (const st of statementsOf(s, fn)) {
    const actions = [st.Action].flat().filter((a) => a.startsWith('dynamodb:') || a === '*');
    if (st.Effect !== 'Allow' || !actions.length) continue;
    for (const resource of [st.Resource].flat()) {
      const set = (grants[nameOf(resource)] ??= new Set());
      for (const action of actions) set.add(action.replace(/^dynamodb:/, ''));
    }
  }
  return Object.fromEntries(Object.entries(grants).map(([name, actions]) => [name, [...actions].sort()]));
}

describe('table grants: what the code does, and their environment variables', () => {
  test.each(functionNames)('the %s role may do exactly what its code does, per table and per index', (name) => {
    expect(dynamoGrants(synth, functions()[name])).toEqual(GRANTS[name]);
  });

  test.each(functionNames)('the %s role has the same grants in the prod stage', (name) => {
    const prodFns = { admin: prod.stack.admin.function, voice: prod.stack.webhooks.voice, sms: prod.stack.webhooks.sms, report: prod.stack.report.function, fallback: prod.stack.webhooks.fallback, drain: prod.stack.spill.drain, sender: prod.stack.outbound.sender, jobs: prod.stack.jobs.worker };
    expect(dynamoGrants(prod, prodFns[name])).toEqual(GRANTS[name]);
  });

  test.each(['voice', 'sms'] as const)('the %s webhook may not delete, batch-write or scan anything, nor query the messages and traces tables', (name) => {
    const grants = dynamoGrants(synth, functions()[name]);
    const actions = Object.values(grants).flat();
    for (const never of ['DeleteItem', 'BatchWriteItem', 'Scan', 'ConditionCheckItem']) expect(actions).not.toContain(never);
    for (const key of ['messages', 'traces']) expect(grants[key]).not.toContain('Query');
    // Of the state table only the voice webhook queries: a call queue's partition, when a member picks up an offer.
    if (name === 'sms') expect(grants.state).not.toContain('Query');
  });

  test('of the indexes, the voice webhook queries none; the sms webhook only the directory’s byPhone and byKind (texts that close or open a schedule), and writes nothing in the directory', () => {
    expect(Object.keys(dynamoGrants(synth, functions().voice)).filter((resource) => resource.includes('/index/'))).toEqual([]);
    const sms = dynamoGrants(synth, functions().sms);
    expect(Object.keys(sms).filter((resource) => resource.includes('/index/')).sort()).toEqual(['directory/index/byKind', 'directory/index/byPhone']);
    expect(sms.directory).toEqual(['BatchGetItem']);
  });

  test('the spill drain may not delete, nor read back the messages it writes (of state only schedule overrides); it queries no index', () => {
    const grants = dynamoGrants(synth, synth.stack.spill.drain);
    for (const never of ['DeleteItem', 'BatchWriteItem', 'Scan', 'ConditionCheckItem']) expect(Object.values(grants).flat()).not.toContain(never);
    expect([...grants.messages].sort()).toEqual(['PutItem', 'UpdateItem']);
    // Its texts are queued: the sender, not the drain, reads the opt-outs; late routing reads schedule overrides.
    expect([...grants.state].sort()).toEqual(['BatchGetItem', 'PutItem']);
    expect(Object.keys(grants).filter((resource) => resource.includes('/index/'))).toEqual([]);
  });

  test('no role gets a table’s indexes by wildcard (`index/*`), nor BatchWriteItem or ConditionCheckItem, which no code makes', () => {
    for (const name of functionNames) {
      const grants = dynamoGrants(synth, functions()[name]);
      expect(Object.keys(grants).filter((resource) => resource.includes('*'))).toEqual([]);
      expect(Object.values(grants).flat().filter((a) => a === 'BatchWriteItem' || a === 'ConditionCheckItem')).toEqual([]);
    }
  });

  const cases = functionNames.flatMap((name) => TABLE_KEYS.map((key) => [name, key] as const));
  test.each(cases)('the %s function knows the %s table name exactly when it is granted something on it', (name, key) => {
    const granted = Object.keys(GRANTS[name]).some((resource) => resource.split('/')[0] === key);
    const value = env(synth, functions()[name])[TABLES[key].envVar];
    if (!granted) expect(value).toBeUndefined();
    else expect(value).toEqual({ Ref: logicalId(synth.stack.data.tables[key]) });
  });

  test('least privilege: the voice webhook cannot write flows, the admin API can', () => {
    const voice = tableActions(synth, synth.stack.webhooks.voice, 'flows');
    const admin = tableActions(synth, synth.stack.admin.function, 'flows');
    expect(voice.some((a) => WRITE_ACTIONS.includes(a))).toBe(false);
    expect(admin).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
  });

  test('indexes are granted by their own ARNs, the granted table’s; "*" only for X-Ray, which has no resource ARNs', () => {
    const numbersId = logicalId(synth.stack.data.tables.numbers);
    for (const fn of [synth.stack.admin.function, synth.stack.report.function]) {
      const resources = statementsOf(synth, fn).flatMap((st) => [st.Resource].flat());
      expect(resources).toContainEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [numbersId, 'Arn'] }, '/index/noFlow']] });
    }
    for (const name of functionNames) {
      const wildcard = statementsOf(synth, functions()[name]).filter((st) => [st.Resource].flat().includes('*'));
      expect(wildcard.flatMap((st) => [st.Action].flat()).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
  });

  test('a grant names the table’s own indexes only, and never nothing', () => {
    const s = synthSwitchboard();
    const fn = s.stack.webhooks.voice;
    // @ts-expect-error -- the flows table has no byMailbox index: the compiler refuses it, and so does useTable.
    expect(() => fn.useTable(s.stack.data.tables.flows, 'flows', { actions: [], indexes: ['byMailbox'] })).toThrow(/has no index byMailbox/);
    expect(() => fn.useTable(s.stack.data.tables.flows, 'flows', { actions: [] })).toThrow(/empty grant/);
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

  // The admin API, the report and the outbound sender read it for the carrier link: test/infra/carrier-link.test.ts.
  // Late routing queues the notifications, replies and forwards of an outage's texts and voicemails: the
  // drain never calls Twilio, so it has no use for the secret.
  test('the spill drain cannot read the Twilio secret: it queues its texts', () => {
    expect(env(synth, synth.stack.spill.drain).TWILIO_AUTH_TOKEN_SECRET_ARN).toBeUndefined();
    expect(statementsOf(synth, synth.stack.spill.drain).flatMap((st) => [st.Action].flat()).filter((a) => a.startsWith('secretsmanager:'))).toEqual([]);
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
  test.each(['admin', 'voice', 'sms', 'report', 'fallback', 'drain', 'sender'])('the %s function has active X-Ray tracing and puts its metrics in the stage namespace', (name) => {
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
