// The durable spill in AWS (DESIGN.md section 11): an encrypted queue with a dead-letter queue, a drain
// Lambda fed by it, alarms to the alert topic, and only the webhooks allowed to write to it.
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ENV } from '../../lambdas/config/env';
import { actionsOn, logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

let synth: Synthesized;

beforeAll(() => {
  synth = synthSwitchboard();
});

const queueActions = (fn: IFunction, queueId: string) => actionsOn(synth, fn, queueId);
const spillId = () => logicalId(synth.stack.spill.queue);
const dlqId = () => logicalId(synth.stack.spill.deadLetterQueue);

describe('the spill queue', () => {
  // Encryption, TLS only and the visibility timeout: every work queue's, test/infra/work-queue.test.ts.
  test('moves an item to the dead-letter queue after 5 failed replays', () => {
    expect(propertiesOf(synth.template, spillId()).RedrivePolicy).toEqual({
      deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(), 'Arn'] },
      maxReceiveCount: 5,
    });
  });

  test('keeps items 14 days (the longest outage it outlasts)', () => {
    expect(propertiesOf(synth.template, spillId()).MessageRetentionPeriod).toBe(14 * 86400);
    expect(propertiesOf(synth.template, dlqId()).MessageRetentionPeriod).toBe(14 * 86400);
  });
});

describe('the drain', () => {
  test('is fed by the spill queue and reports failed items one by one', () => {
    synth.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [spillId(), 'Arn'] },
      FunctionName: { Ref: logicalId(synth.stack.spill.drain) },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BatchSize: 10,
    });
  });

  test('may consume the spill queue, and cannot send to it or touch the dead-letter queue', () => {
    const actions = queueActions(synth.stack.spill.drain, spillId());
    expect(actions).toEqual(expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility']));
    expect(actions).not.toContain('sqs:SendMessage');
    expect(queueActions(synth.stack.spill.drain, dlqId())).toEqual([]);
  });
});

describe('who may write to the spill', () => {
  test.each(['voice', 'sms', 'fallback'] as const)('the %s webhook may send to the spill and knows its URL', (name) => {
    const fn = synth.stack.webhooks[name];
    expect(queueActions(fn, spillId())).toEqual(expect.arrayContaining(['sqs:SendMessage']));
    expect(queueActions(fn, spillId())).not.toContain('sqs:ReceiveMessage');
    expect(propertiesOf(synth.template, logicalId(fn)).Environment.Variables[ENV.spillQueueUrl]).toEqual({ Ref: spillId() });
  });

  test('the admin API and the report may not touch the spill', () => {
    for (const fn of [synth.stack.admin.function, synth.stack.report.function]) {
      expect(queueActions(fn, spillId())).toEqual([]);
      expect(propertiesOf(synth.template, logicalId(fn)).Environment.Variables[ENV.spillQueueUrl]).toBeUndefined();
    }
  });
});

describe('the spill alarms', () => {
  const alarmOn = (metricName: string, queueId: string) => {
    const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    return alarms.filter((a) => a.MetricName === metricName && a.Namespace === 'AWS/SQS' && JSON.stringify(a.Dimensions).includes(`"${queueId}"`));
  };

  test('alarm when the oldest spilled item has waited 5 minutes, to the alert topic', () => {
    const [alarm, ...more] = alarmOn('ApproximateAgeOfOldestMessage', spillId());
    expect(more).toEqual([]);
    expect(alarm).toMatchObject({ Threshold: 300, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Maximum', TreatMissingData: 'notBreaching' });
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(synth.stack.report.topic) }]);
  });

  test('alarm when anything reaches the dead-letter queue, to the alert topic', () => {
    const [alarm, ...more] = alarmOn('ApproximateNumberOfMessagesVisible', dlqId());
    expect(more).toEqual([]);
    expect(alarm).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
    expect(alarm.AlarmActions).toEqual([{ Ref: logicalId(synth.stack.report.topic) }]);
  });
});
