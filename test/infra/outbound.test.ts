// The outbound texts in AWS (DESIGN.md section 17): an encrypted queue with a dead-letter queue, a sender
// Lambda fed by it (partial batch failures) that may read the Twilio secret and knows where Twilio must
// post the status callbacks, alarms to the alert topic, and only the functions that queue texts allowed to
// write to it: the voice and sms webhooks and the spill drain, never the fallback.
import { Match } from 'aws-cdk-lib/assertions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ENV } from '../../lambdas/config/env';
import { actionsOn, logicalId, propertiesOf, statementsOf, synthSwitchboard, type Synthesized } from './synth';

let synth: Synthesized;
let custom: Synthesized;

beforeAll(() => {
  synth = synthSwitchboard();
  custom = synthSwitchboard({ stage: 'test', publicUrl: 'https://calls.example.com' });
});

const queueActions = (fn: IFunction, queueId: string) => actionsOn(synth, fn, queueId);
const env = (s: Synthesized, fn: IFunction) => propertiesOf(s.template, logicalId(fn)).Environment.Variables as Record<string, unknown>;
const queueId = () => logicalId(synth.stack.outbound.queue);
const dlqId = () => logicalId(synth.stack.outbound.deadLetterQueue);

describe('the outbound queue', () => {
  // Encryption, TLS only and the visibility timeout: every work queue's, test/infra/work-queue.test.ts.
  test('moves a text to the dead-letter queue after 5 failed sends; keeps texts a day, dead letters 14 days', () => {
    expect(propertiesOf(synth.template, queueId()).RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] }, maxReceiveCount: 5 });
    expect(propertiesOf(synth.template, queueId()).MessageRetentionPeriod).toBe(86400);
    expect(propertiesOf(synth.template, dlqId()).MessageRetentionPeriod).toBe(14 * 86400);
  });
});

describe('the sender', () => {
  test('is fed by the outbound queue and reports failed texts one by one, a few at a time', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId(), 'Arn'] },
      FunctionName: { Ref: logicalId(synth.stack.outbound.sender) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });

  test('may consume the queue, and cannot send to it or touch the dead-letter queue', () => {
    const actions = queueActions(synth.stack.outbound.sender, queueId());
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
    expect(actions).not.toContain('sqs:SendMessage');
    expect(queueActions(synth.stack.outbound.sender, dlqId())).toEqual([]);
  });

  test('reads the Twilio secret (only it) and knows where Twilio posts the status callbacks: the HTTP API, or the custom domain', () => {
    const secretId = logicalId(synth.stack.twilioSecret.secret);
    expect(env(synth, synth.stack.outbound.sender)[ENV.authTokenSecretArn]).toEqual({ Ref: secretId });
    const secrets = statementsOf(synth, synth.stack.outbound.sender).filter((st) => [st.Action].flat().some((a) => a.startsWith('secretsmanager:')));
    expect(secrets).toEqual([expect.objectContaining({ Effect: 'Allow', Resource: { Ref: secretId } })]);
    expect(JSON.stringify(env(synth, synth.stack.outbound.sender)[ENV.publicUrl])).toContain(logicalId(synth.stack.http.api));
    expect(env(custom, custom.stack.outbound.sender)[ENV.publicUrl]).toBe('https://calls.example.com');
  });
});

describe('who may queue texts', () => {
  test.each([
    ['voice', () => synth.stack.webhooks.voice],
    ['sms', () => synth.stack.webhooks.sms],
    ['spill drain', () => synth.stack.spill.drain],
    // A reply by text to a mailbox's message (POST /api/messages/{id}/reply, issue 20 item 8) is queued too.
    ['admin API', () => synth.stack.admin.function],
  ] as const)('the %s function may send to the outbound queue and knows its URL', (_name, fn) => {
    expect(queueActions(fn(), queueId())).toEqual(expect.arrayContaining(['sqs:SendMessage']));
    expect(queueActions(fn(), queueId())).not.toContain('sqs:ReceiveMessage');
    expect(env(synth, fn())[ENV.outboxQueueUrl]).toEqual({ Ref: queueId() });
  });

  test('the fallback and the report may not touch it', () => {
    for (const fn of [synth.stack.webhooks.fallback, synth.stack.report.function]) {
      expect(queueActions(fn, queueId())).toEqual([]);
      expect(env(synth, fn)[ENV.outboxQueueUrl]).toBeUndefined();
    }
  });
});

describe('the outbound queue’s alarms', () => {
  test('alarm when any text is not delivered (TextsNotDelivered, failed + undelivered, in the stage’s namespace), to the alert topic', () => {
    synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'failed + undelivered' }),
        ...(['failed', 'undelivered'] as const).map((status) =>
          Match.objectLike({
            Id: status,
            MetricStat: Match.objectLike({
              Metric: { Namespace: 'Switchboard/dev', MetricName: 'TextsNotDelivered', Dimensions: [{ Name: 'service', Value: 'switchboard' }, { Name: 'status', Value: status }] },
            }),
          }),
        ),
      ]),
      AlarmActions: [{ Ref: logicalId(synth.stack.report.topic) }],
    });
  });

  const alarmOn = (metricName: string, id: string) =>
    Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties)
      .filter((a) => a.MetricName === metricName && a.Namespace === 'AWS/SQS' && JSON.stringify(a.Dimensions).includes(`"${id}"`));

  test('alarm when the oldest queued text has waited 5 minutes, and when anything reaches the dead-letter queue, to the alert topic', () => {
    const [age, ...moreAge] = alarmOn('ApproximateAgeOfOldestMessage', queueId());
    const [dead, ...moreDead] = alarmOn('ApproximateNumberOfMessagesVisible', dlqId());
    expect([moreAge, moreDead]).toEqual([[], []]);
    expect(age).toMatchObject({ Threshold: 300, ComparisonOperator: 'GreaterThanOrEqualToThreshold', TreatMissingData: 'notBreaching' });
    expect(dead).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    for (const alarm of [age, dead]) expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(synth.stack.report.topic) }]);
  });
});
