import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';
import { backlogAlarm, deadLetterAlarm, workQueue } from './work-queue';

export interface DurableSpillProps {
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  /** CloudWatch namespace of the drain's Powertools metrics (the stage's). */
  readonly metricsNamespace: string;
  /** Tries of one item before it goes to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** The spill alarms when its oldest item has waited this long: the drain cannot reach DynamoDB. @default 5 minutes */
  readonly maxAge?: Duration;
  /** The spill's alarms notify it (lib/alerts.ts). */
  readonly alarmTopic: ITopic;
}

/**
 * The durable spill (DESIGN.md section 11): an encrypted SQS queue the webhooks write to when DynamoDB
 * fails them, a drain Lambda that replays each item with the same Sid-keyed writes, a dead-letter queue
 * for what the drain could not write, and alarms on both, to the alert topic.
 */
export class DurableSpill extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly drain: SwitchboardFunction;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: DurableSpillProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const drainTimeout = Duration.seconds(30);

    // SQS keeps a message at most 14 days: the longest outage (or unread dead letter) the spill outlasts.
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, {
      consumerTimeout: drainTimeout,
      maxReceiveCount,
      retentionPeriod: Duration.days(14),
      deadLetterRetention: Duration.days(14),
      removalPolicy: props.removalPolicy,
    }));

    this.drain = new SwitchboardFunction(this, 'Drain', {
      entry: handlerEntry('spill-drain'),
      description: 'Switchboard spill drain: writes voicemails, transcripts, texts and unrouted events spilled during a DynamoDB outage',
      removalPolicy: props.removalPolicy,
      metricsNamespace: props.metricsNamespace,
      timeout: drainTimeout,
    }).useTables(props.tables, {
      // The webhooks' own writes, replayed: voicemails and transcripts (UpdateItem), texts (conditional
      // PutItem), unrouted events (conditional PutItem). Nothing is read back or deleted.
      messages: { actions: ['PutItem', 'UpdateItem'] },
      // Unrouted events and a late STOP/START (conditional PutItem). Its texts are queued: the sender reads the
      // opt-outs. Late routing reads schedule overrides with their schedules (BatchGetItem).
      state: { actions: ['BatchGetItem', 'PutItem'] },
      // Late routing (lambdas/spill/late-route.ts): the number (GetItem), its flow as it stood at arrival
      // (the head, GetItem; the revisions' keys and times, Query of the table; the revision, GetItem), and
      // the people to notify (BatchGetItem). No index.
      numbers: { actions: ['GetItem'] },
      flows: { actions: ['GetItem', 'Query'] },
      directory: { actions: ['BatchGetItem'] },
      traces: 'none',
      // A status callback of an outbound text kept during an outage: the callback's conditional UpdateItem.
      outbound: { actions: ['UpdateItem'] },
    });
    this.drain.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        // Only the items that failed come back; the rest of the batch is done.
        reportBatchItemFailures: true,
        // DynamoDB just came back: a backlog drains steadily instead of all at once.
        maxConcurrency: 2,
      }),
    );

    const period = Duration.minutes(5);
    this.alarms = [
      backlogAlarm(this, this.queue, 'Spilled voicemails, texts or unrouted events have waited for DynamoDB longer than expected: the drain cannot write them', props.maxAge ?? Duration.minutes(5), period),
      deadLetterAlarm(this, this.deadLetterQueue, `Spilled items failed ${maxReceiveCount} replays and wait in the dead-letter queue: redrive them once DynamoDB is healthy (docs/reliability.md)`, period),
    ];
    const action = new SnsAction(props.alarmTopic);
    for (const alarm of this.alarms) alarm.addAlarmAction(action);
  }

  /** Lets a function put items into the spill and tells it where (SPILL_QUEUE_URL). */
  grantPut(fn: SwitchboardFunction): void {
    this.queue.grantSendMessages(fn);
    fn.addEnvironment(ENV.spillQueueUrl, this.queue.queueUrl);
  }
}
