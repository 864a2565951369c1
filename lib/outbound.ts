import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { METRIC, SERVICE_NAME } from '../lambdas/observability/names';
import { useCarrierLink, type CarrierLinkProps } from './carrier-link';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';
import { backlogAlarm, deadLetterAlarm, workQueue } from './work-queue';

export interface OutboundTextsProps {
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  /** CloudWatch namespace of the sender's Powertools metrics (the stage's). */
  readonly metricsNamespace: string;
  /** The Twilio secret and where the status callbacks must point (PUBLIC_URL, else the HTTP API's URL). */
  readonly carrier: CarrierLinkProps;
  /** Tries of one text before it goes to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
  /** The queue alarms when its oldest text has waited this long: the sender cannot send. @default 5 minutes */
  readonly maxAge?: Duration;
  /** The alarms notify it (lib/alerts.ts). */
  readonly alarmTopic: ITopic;
}

/**
 * Outbound texts (DESIGN.md section 17): an encrypted SQS queue the webhooks (and the spill drain) put
 * each text on instead of calling Twilio while Twilio waits, a sender Lambda that sends them with the
 * twilio library's REST client (partial batch failures: only the texts to try again come back), a
 * dead-letter queue for what could not be sent, and alarms on the queue's age, the dead letters and the
 * texts that did not reach their recipient (TextsNotDelivered: a refusal, or Twilio's failed/undelivered).
 */
export class OutboundTexts extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly sender: SwitchboardFunction;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: OutboundTextsProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    const senderTimeout = Duration.seconds(60);

    // A text older than a few hours is no use to anyone (Twilio itself drops queued texts after 4 hours
    // by default); a dead letter is kept for a person to read or redrive.
    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, {
      consumerTimeout: senderTimeout,
      maxReceiveCount,
      retentionPeriod: Duration.days(1),
      deadLetterRetention: Duration.days(14),
      removalPolicy: props.removalPolicy,
    }));

    this.sender = new SwitchboardFunction(this, 'Sender', {
      entry: handlerEntry('outbound-sender'),
      description: 'Switchboard outbound sender: sends the queued texts (text applet, notifications, forwards) with the twilio library',
      removalPolicy: props.removalPolicy,
      metricsNamespace: props.metricsNamespace,
      // The twilio library waits up to 8 s per request and backs off on 429: a batch of 10 fits.
      timeout: senderTimeout,
    }).useTables(props.tables, {
      // Opt-outs: read before each send (BatchGetItem), recorded when Twilio refuses one with 21610 (conditional PutItem).
      state: { actions: ['BatchGetItem', 'PutItem'] },
      numbers: 'none',
      flows: 'none',
      directory: 'none',
      messages: 'none',
      traces: 'none',
      // Each text's record: written queued before the send (conditional PutItem), then its Sid or a refusal (UpdateItem).
      outbound: { actions: ['PutItem', 'UpdateItem'] },
    });
    useCarrierLink(this.sender, props.carrier);
    this.sender.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        // Only the texts that failed come back; the rest of the batch is done.
        reportBatchItemFailures: true,
        // Twilio queues what a number cannot send at once (about one a second on a US long code): a few
        // senders are enough, and keep the account's API concurrency for the admin API.
        maxConcurrency: 5,
      }),
    );

    const period = Duration.minutes(5);
    // Counted by the sender (a refusal) and by the sms function (Twilio's status callback), by status.
    const notDelivered = (status: 'failed' | 'undelivered') =>
      new Metric({ namespace: props.metricsNamespace, metricName: METRIC.textsNotDelivered, dimensionsMap: { service: SERVICE_NAME, status }, period, statistic: 'Sum' });
    this.alarms = [
      new Alarm(this, 'NotDeliveredAlarm', {
        alarmDescription: 'Outbound texts (text-backs, voicemail and inbox notifications, forwards) did not reach their recipient: GET /api/carrier/messages?status=undelivered (or failed) says which and why',
        metric: new MathExpression({
          expression: 'failed + undelivered',
          usingMetrics: { failed: notDelivered('failed'), undelivered: notDelivered('undelivered') },
          period,
          label: 'Texts not delivered',
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      backlogAlarm(this, this.queue, 'Outbound texts (text-backs, notifications, forwards) have waited longer than expected: the sender cannot send them', props.maxAge ?? Duration.minutes(5), period),
      deadLetterAlarm(this, this.deadLetterQueue, `Outbound texts failed ${maxReceiveCount} sends and wait in the dead-letter queue (docs/operations.md)`, period),
    ];
    const action = new SnsAction(props.alarmTopic);
    for (const alarm of this.alarms) alarm.addAlarmAction(action);
  }

  /** Lets a function put texts on the queue and tells it where (OUTBOX_QUEUE_URL). */
  grantQueue(fn: SwitchboardFunction): void {
    this.queue.grantSendMessages(fn);
    fn.addEnvironment(ENV.outboxQueueUrl, this.queue.queueUrl);
  }
}
