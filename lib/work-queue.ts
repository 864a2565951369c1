import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** How a queue that a Lambda consumes keeps its work (lib/spill.ts, outbound.ts, jobs.ts, admin-api.ts). */
export interface WorkQueueProps {
  /** The consumer's timeout: the queue hides a message six times as long (AWS's advice for a Lambda event source). */
  readonly consumerTimeout: Duration;
  /** Tries of one message before it goes to the dead-letter queue: a positive integer. */
  readonly maxReceiveCount: number;
  /** How long the queue keeps a message no one took. @default SQS's 4 days */
  readonly retentionPeriod?: Duration;
  /** How long the dead-letter queue keeps one, for a person to read or redrive. */
  readonly deadLetterRetention: Duration;
  readonly fifo?: boolean;
  readonly removalPolicy: RemovalPolicy;
  /** Prefixes the construct ids (`<prefix>Queue`, `<prefix>DeadLetterQueue`), for a scope that holds several. */
  readonly idPrefix?: string;
}

/**
 * An encrypted, TLS-only queue and its dead-letter queue, created in `scope` under the ids they always had,
 * so the logical ids (and the deployed queues) stay the same.
 */
export function workQueue(scope: Construct, props: WorkQueueProps): { queue: Queue; deadLetterQueue: Queue } {
  const { maxReceiveCount } = props;
  if (!Number.isInteger(maxReceiveCount) || maxReceiveCount < 1) throw new Error(`maxReceiveCount must be a positive integer, got ${maxReceiveCount}`);
  const prefix = props.idPrefix ?? '';
  const common = { ...(props.fifo && { fifo: true }), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, removalPolicy: props.removalPolicy };
  const deadLetterQueue = new Queue(scope, `${prefix}DeadLetterQueue`, { ...common, retentionPeriod: props.deadLetterRetention });
  const queue = new Queue(scope, `${prefix}Queue`, {
    ...common,
    ...(props.retentionPeriod && { retentionPeriod: props.retentionPeriod }),
    visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
    deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount },
  });
  return { queue, deadLetterQueue };
}

const alarmDefaults = {
  comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  evaluationPeriods: 1,
  // An idle queue stops reporting: nothing waits, nobody is paged.
  treatMissingData: TreatMissingData.NOT_BREACHING,
};

/** Alarms when the oldest message has waited `maxAge`: the consumer cannot keep up, or cannot do the work. */
export function backlogAlarm(scope: Construct, queue: Queue, alarmDescription: string, maxAge: Duration, period = Duration.minutes(5)): Alarm {
  return new Alarm(scope, 'BacklogAlarm', {
    alarmDescription,
    metric: queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum' }),
    threshold: maxAge.toSeconds(),
    ...alarmDefaults,
  });
}

/** Alarms on the first message in a dead-letter queue. */
export function deadLetterAlarm(scope: Construct, deadLetterQueue: Queue, alarmDescription: string, period = Duration.minutes(5)): Alarm {
  return new Alarm(scope, 'DeadLetterAlarm', {
    alarmDescription,
    metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum' }),
    threshold: 1,
    ...alarmDefaults,
  });
}
