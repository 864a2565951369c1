// Every queue a Lambda consumes is built by one function (lib/work-queue.ts): encrypted, TLS only, a
// dead-letter queue with an alarm's worth of retention, and hidden six times its consumer's timeout while
// one works on it (AWS's advice for a Lambda event source). Checked across the whole template, so a queue
// added later is held to it too.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { workQueue } from '../../lib/work-queue';
import { synthSwitchboard, type Synthesized } from './synth';

let synth: Synthesized;
beforeAll(() => {
  synth = synthSwitchboard();
});

type Resource = { Type: string; Properties?: Record<string, unknown> };
const resources = () => synth.template.toJSON().Resources as Record<string, Resource>;
const ofType = (type: string) => Object.entries(resources()).filter(([, r]) => r.Type === type);
const refOf = (value: unknown): string | undefined => {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  return v?.Ref ?? v?.['Fn::GetAtt']?.[0];
};

test('every queue is encrypted, and refuses requests without TLS', () => {
  const queues = ofType('AWS::SQS::Queue');
  expect(queues.length).toBeGreaterThanOrEqual(8);
  for (const [id, queue] of queues) expect({ id, sse: queue.Properties?.SqsManagedSseEnabled }).toEqual({ id, sse: true });
  const secured = new Set(ofType('AWS::SQS::QueuePolicy').flatMap(([, p]) => {
    const statements = (p.Properties!.PolicyDocument as { Statement: Array<{ Effect: string; Condition?: unknown }> }).Statement;
    if (!statements.some((s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'))) return [];
    return (p.Properties!.Queues as unknown[]).map(refOf);
  }));
  for (const [id] of queues) expect({ id, tlsOnly: secured.has(id) }).toEqual({ id, tlsOnly: true });
});

test('every queue a function consumes has a dead-letter queue and hides a message six times the function’s timeout', () => {
  const mappings = ofType('AWS::Lambda::EventSourceMapping').filter(([, m]) => JSON.stringify(m.Properties?.EventSourceArn).includes('Queue'));
  expect(mappings.length).toBeGreaterThanOrEqual(4);
  for (const [, mapping] of mappings) {
    const queueId = refOf(mapping.Properties!.EventSourceArn)!;
    const queue = resources()[queueId].Properties!;
    const fn = resources()[refOf(mapping.Properties!.FunctionName)!].Properties!;
    expect({ queueId, visibility: queue.VisibilityTimeout }).toEqual({ queueId, visibility: (fn.Timeout as number) * 6 });
    const redrive = queue.RedrivePolicy as { deadLetterTargetArn: unknown; maxReceiveCount: number };
    expect({ queueId, tries: redrive?.maxReceiveCount }).toEqual({ queueId, tries: expect.any(Number) });
    expect(resources()[refOf(redrive.deadLetterTargetArn)!].Type).toBe('AWS::SQS::Queue');
  }
});

test('a count of tries that is not a positive integer is refused, naming it', () => {
  for (const maxReceiveCount of [0, -1, 2.5, Number.NaN]) {
    expect(() => workQueue(new Stack(), { consumerTimeout: Duration.seconds(30), maxReceiveCount, deadLetterRetention: Duration.days(14), removalPolicy: RemovalPolicy.DESTROY }))
      .toThrow(/maxReceiveCount must be a positive integer/);
  }
});

test('a FIFO work queue has a FIFO dead-letter queue (SQS refuses any other)', () => {
  const { queue, deadLetterQueue } = workQueue(new Stack(), { fifo: true, consumerTimeout: Duration.seconds(30), maxReceiveCount: 3, deadLetterRetention: Duration.days(14), removalPolicy: RemovalPolicy.DESTROY });
  expect([queue.fifo, deadLetterQueue.fifo]).toEqual([true, true]);
});
