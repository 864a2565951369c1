// The artifact tests' role check (test/support/role-policies.ts, iam-evaluator.ts, aws-call-proxy.ts)
// against the synthesized template: what each function's role allows, with the test's names for the
// tables, queue, secret and topic resolved through Ref / Fn::GetAtt / Fn::Join; and proof that the check
// fails, naming the action, when a grant the functions use is taken away.
import { TABLE_KEYS, type TableKey } from '../../lambdas/store/tables';
import { permissionsOf, type AwsCall } from '../support/aws-call-proxy';
import { describeRefusals, physicalValues, refusals, rolePolicies, withoutAction } from '../support/role-policies';
import { logicalId, synthSwitchboard, type Synthesized } from './synth';
import type { IConstruct } from 'constructs';

const place = { region: 'us-east-1', account: '123456789012' };
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:switchboard-test-AbCdEf';
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/switchboard-test-spill';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:switchboard-test-alerts';
const tableName = (key: TableKey) => `test-${key}`;

let synth: Synthesized;
let refs: Map<string, string>;

beforeAll(() => {
  synth = synthSwitchboard();
  refs = new Map(TABLE_KEYS.map((key) => [logicalId(synth.stack.data.tables[key]), tableName(key)]));
  refs.set(logicalId(synth.stack.twilioSecret.secret), SECRET_ARN);
  refs.set(logicalId(synth.stack.spill.queue), QUEUE_URL);
  refs.set(logicalId(synth.stack.alerts.topic), TOPIC_ARN);
});

/** The permissions of `calls` that `fn`'s role refuses, in `template` (the synthesized one by default). */
function refused(fn: IConstruct, calls: AwsCall[], template: object = synth.template.toJSON()) {
  const policies = rolePolicies(template as never, logicalId(fn), physicalValues(template as never, refs, place), place);
  return refusals(policies, calls.flatMap((call) => permissionsOf(call, place)));
}

const dynamo = (operation: string, params: Record<string, unknown>): AwsCall => ({ service: 'dynamodb', operation, params });
const get = (key: TableKey) => dynamo('GetItem', { TableName: tableName(key) });
const put = (key: TableKey) => dynamo('PutItem', { TableName: tableName(key) });
const update = (key: TableKey) => dynamo('UpdateItem', { TableName: tableName(key) });
const spill: AwsCall = { service: 'sqs', operation: 'SendMessage', params: { QueueUrl: QUEUE_URL } };
const readSecret: AwsCall = { service: 'secretsmanager', operation: 'GetSecretValue', params: { SecretId: SECRET_ARN } };

/** What a call's requests need: its number and flow, the people it rings, its trace, a voicemail, the round-robin counter, a sticky member. */
const aCall: AwsCall[] = [
  readSecret,
  get('numbers'),
  get('flows'),
  dynamo('BatchGetItem', { RequestItems: { [tableName('directory')]: {} } }),
  put('traces'),
  update('messages'),
  update('state'),
  get('state'),
  put('state'),
  spill,
];

describe('each role, as synthesized', () => {
  test('the voice role allows a whole call: number, flow, people, trace, voicemail, counters, the spill and the secret', () => {
    expect(refused(synth.stack.webhooks.voice, aCall)).toEqual([]);
  });

  test('the voice role reads the flows but cannot write them', () => {
    expect(refused(synth.stack.webhooks.voice, [put('flows')])).toEqual([
      { action: 'dynamodb:PutItem', resource: `arn:aws:dynamodb:us-east-1:123456789012:table/${tableName('flows')}`, decision: 'implicit-deny' },
    ]);
  });

  test('the fallback role reaches no table, only the secret and the spill', () => {
    expect(refused(synth.stack.webhooks.fallback, [readSecret, spill])).toEqual([]);
    expect(refused(synth.stack.webhooks.fallback, [get('numbers')]).map((r) => r.action)).toEqual(['dynamodb:GetItem']);
  });

  test('the voice role stores voicemails (UpdateItem) but may not put, delete or scan messages', () => {
    const del = dynamo('DeleteItem', { TableName: tableName('messages') });
    const scan = dynamo('Scan', { TableName: tableName('messages') });
    const batchWrite = dynamo('BatchWriteItem', { RequestItems: { [tableName('messages')]: [] } });
    expect(refused(synth.stack.webhooks.voice, [put('messages'), del, scan, batchWrite]).map((r) => r.action)).toEqual([
      'dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:BatchWriteItem',
    ]);
  });

  test('the sms role stores texts and unrouted events (PutItem); of the state table it also counts wrong PINs (GetItem, UpdateItem); it updates no message', () => {
    expect(refused(synth.stack.webhooks.sms, [put('messages'), put('state'), put('traces'), update('state'), get('state')])).toEqual([]);
    expect(refused(synth.stack.webhooks.sms, [update('messages'), get('messages'), update('traces')]).map((r) => r.action)).toEqual([
      'dynamodb:UpdateItem', 'dynamodb:GetItem', 'dynamodb:UpdateItem',
    ]);
  });

  test('an index is granted by name, to the function that queries it, and the table is not granted with it', () => {
    const byMailbox = dynamo('Query', { TableName: tableName('messages'), IndexName: 'byMailbox' });
    expect(refused(synth.stack.admin.function, [byMailbox])).toEqual([]);
    // The admin API reads mailboxes through the index only: a query of the table itself is refused.
    expect(refused(synth.stack.admin.function, [dynamo('Query', { TableName: tableName('messages') })]).map((r) => r.resource)).toEqual([
      `arn:aws:dynamodb:us-east-1:123456789012:table/${tableName('messages')}`,
    ]);
    // The drain and the webhooks never query: not the table, not its index.
    for (const fn of [synth.stack.spill.drain, synth.stack.webhooks.voice, synth.stack.webhooks.sms]) {
      expect(refused(fn, [byMailbox])).toEqual([
        expect.objectContaining({ action: 'dynamodb:Query', resource: `arn:aws:dynamodb:us-east-1:123456789012:table/${tableName('messages')}/index/byMailbox` }),
      ]);
    }
    // The report queries the numbers' byFlow and noFlow indexes, and only those (flows: heads).
    const numbersIndex = (name: string) => dynamo('Query', { TableName: tableName('numbers'), IndexName: name });
    expect(refused(synth.stack.report.function, [numbersIndex('byFlow'), numbersIndex('noFlow'), dynamo('Query', { TableName: tableName('flows'), IndexName: 'heads' })])).toEqual([]);
    expect(refused(synth.stack.report.function, [numbersIndex('other'), dynamo('Scan', { TableName: tableName('numbers') })]).map((r) => r.action)).toEqual(['dynamodb:Query', 'dynamodb:Scan']);
  });

  test('the drain may write what the webhooks spilled, and may not delete it', () => {
    const lateRouting = [get('numbers'), get('flows'), dynamo('Query', { TableName: tableName('flows') }), dynamo('BatchGetItem', { RequestItems: { [tableName('directory')]: {} } })];
    expect(refused(synth.stack.spill.drain, [put('messages'), update('messages'), put('state'), ...lateRouting])).toEqual([]);
    expect(refused(synth.stack.spill.drain, [dynamo('DeleteItem', { TableName: tableName('messages') }), update('state')]).map((r) => r.action)).toEqual([
      'dynamodb:DeleteItem', 'dynamodb:UpdateItem',
    ]);
  });

  test('a transaction needs the action of each of its items, on each item\'s table', () => {
    // Assigning a number: the number's Update, and numberCount's Update on each flow head.
    const assign = dynamo('TransactWriteItems', {
      TransactItems: [{ Update: { TableName: tableName('numbers') } }, { Update: { TableName: tableName('flows') } }],
    });
    expect(refused(synth.stack.admin.function, [assign])).toEqual([]);
    expect(refused(synth.stack.webhooks.sms, [assign]).map((r) => r.action)).toEqual(['dynamodb:UpdateItem', 'dynamodb:UpdateItem']);
    // No code makes a ConditionCheck item, so no role may.
    const check = dynamo('TransactWriteItems', { TransactItems: [{ ConditionCheck: { TableName: tableName('flows') } }] });
    expect(refused(synth.stack.admin.function, [check]).map((r) => r.action)).toEqual(['dynamodb:ConditionCheckItem']);
  });

  test('the report may publish to the alert topic; the admin API may not, nor read a secret it was not given', () => {
    const publish: AwsCall = { service: 'sns', operation: 'Publish', params: { TopicArn: TOPIC_ARN } };
    expect(refused(synth.stack.report.function, [publish, readSecret])).toEqual([]);
    expect(refused(synth.stack.admin.function, [publish]).map((r) => r.action)).toEqual(['sns:Publish']);
    expect(refused(synth.stack.admin.function, [{ ...readSecret, params: { SecretId: `${SECRET_ARN}x` } }]).map((r) => r.action)).toEqual(['secretsmanager:GetSecretValue']);
  });
});

describe('the check has teeth', () => {
  test('with dynamodb:UpdateItem taken from the voice role, the same call fails, naming the function, the action and the table', () => {
    const voice = synth.stack.webhooks.voice;
    const stripped = withoutAction(synth.template.toJSON(), logicalId(voice.role!), 'dynamodb:UpdateItem');
    const refusedCalls = refused(voice, aCall, stripped);
    expect(refusedCalls.map((r) => `${r.action} on ${r.resource}`)).toEqual([
      `dynamodb:UpdateItem on arn:aws:dynamodb:us-east-1:123456789012:table/${tableName('messages')}`,
      `dynamodb:UpdateItem on arn:aws:dynamodb:us-east-1:123456789012:table/${tableName('state')}`,
    ]);
    const message = describeRefusals(`${logicalId(voice)} (${voice.node.path})`, refusedCalls);
    expect(message).toMatch(/^WebhooksVoice\w+ \(Switchboard-dev\/Webhooks\/Voice\) made AWS calls its role does not allow:\n {2}dynamodb:UpdateItem on arn:aws:dynamodb:/);
    // The template itself was not changed.
    expect(refused(voice, aCall)).toEqual([]);
  });
});
