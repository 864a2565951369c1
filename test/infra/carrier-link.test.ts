// The carrier link in the stack: one Twilio secret, read by exactly the functions that need it, and the
// environment each handler reads (lambdas/carrier/carrier-env.ts), set through one helper.
import { PLACEHOLDER_ACCOUNT_SID } from '../../lambdas/carrier/carrier-env';
import { ENV } from '../../lambdas/config/env';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

let synth: Synthesized;
let custom: Synthesized;
beforeAll(() => {
  synth = synthSwitchboard({ stage: 'test' });
  custom = synthSwitchboard({ stage: 'test', publicUrl: 'https://calls.example.com' });
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const statementsOf = (s: Synthesized, fn: { role?: unknown }) => {
  const roleId = logicalId(fn.role as never);
  const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
};
const env = (s: Synthesized, fn: object) => propertiesOf(s.template, logicalId(fn as never)).Environment.Variables as Record<string, unknown>;
const all = (s: Synthesized) => ({ admin: s.stack.admin.function, voice: s.stack.webhooks.voice, sms: s.stack.webhooks.sms, report: s.stack.report.function, sender: s.stack.outbound.sender });

test('there is one Twilio secret, JSON with a placeholder account SID and a generated token', () => {
  synth.template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  const secret = Object.values(synth.template.findResources('AWS::SecretsManager::Secret'))[0];
  expect(JSON.parse(secret.Properties.GenerateSecretString.SecretStringTemplate)).toEqual({ accountSid: PLACEHOLDER_ACCOUNT_SID });
  expect(secret.Properties.GenerateSecretString.GenerateStringKey).toBe('authToken');
});

test.each(['admin', 'voice', 'sms', 'report', 'sender'] as const)('the %s function may read that secret only, and knows its ARN', (name) => {
  const fn = all(synth)[name];
  const secretId = logicalId(synth.stack.webhooks.authToken);
  const secrets = statementsOf(synth, fn).filter((st) => [st.Action].flat().some((a) => a.startsWith('secretsmanager:')));
  expect(secrets).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: { Ref: secretId } })]);
  expect([secrets[0].Action].flat().sort()).toEqual(['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue']);
  expect(env(synth, fn)[ENV.authTokenSecretArn]).toEqual({ Ref: secretId });
});

test.each(['admin', 'report', 'sender'] as const)('the %s function knows where the numbers must point: the HTTP API’s own URL without a custom domain', (name) => {
  const url = JSON.stringify(env(synth, all(synth)[name])[ENV.publicUrl]);
  expect(url).toContain(logicalId(synth.stack.http.api));
  expect(url).toContain('execute-api');
});

test.each(['admin', 'report', 'sender'] as const)('the %s function points the numbers at the custom domain when there is one', (name) => {
  expect(env(custom, all(custom)[name])[ENV.publicUrl]).toBe('https://calls.example.com');
});

test('the webhooks get PUBLIC_URL only with a custom domain (it is what signatures are checked against)', () => {
  for (const fn of [synth.stack.webhooks.voice, synth.stack.webhooks.sms]) {
    expect(env(synth, fn)[ENV.publicUrl]).toBeUndefined();
    expect(env(custom, fn === synth.stack.webhooks.voice ? custom.stack.webhooks.voice : custom.stack.webhooks.sms)[ENV.publicUrl]).toBe('https://calls.example.com');
  }
});

test('an alarm watches NumbersNotConnected and notifies the alert topic', () => {
  synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'NumbersNotConnected',
    Namespace: 'Switchboard/test',
    AlarmActions: [{ Ref: logicalId(synth.stack.report.topic) }],
  });
});

describe('carrier sync jobs (DESIGN.md section 13): the admin function continues them from its own queue', () => {
  test('the admin function consumes the sync queue one message at a time, may send to it, and is told where it is', () => {
    const fn = synth.stack.admin.function;
    const queueId = logicalId(synth.stack.admin.syncQueue);
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(fn) },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
    });
    expect(env(synth, fn)[ENV.carrierSyncQueueUrl]).toEqual({ Ref: queueId });
    const sends = statementsOf(synth, fn).filter((st) => [st.Action].flat().includes('sqs:SendMessage'));
    expect(sends).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } })]);
  });

  test('a step message outlasts the function’s 29 s (visibility 174 s) and goes to a dead-letter queue after three deliveries', () => {
    synth.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 174,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(synth.stack.admin.syncDeadLetterQueue), 'Arn'] }, maxReceiveCount: 3 },
    });
  });

  test.each(['voice', 'sms', 'report'] as const)('the %s function knows nothing of the sync queue', (name) => {
    expect(env(synth, all(synth)[name])[ENV.carrierSyncQueueUrl]).toBeUndefined();
  });
});
