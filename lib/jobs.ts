import { Arn, Duration, Stack, type RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';
import { deadLetterAlarm, workQueue } from './work-queue';

export interface BackgroundJobsProps {
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  readonly metricsNamespace: string;
  /** The job queue's alarms notify it (lib/alerts.ts). */
  readonly alarmTopic: ITopic;
  /**
   * The verified SES identity emails come from (an address, or a domain: then switchboard@<domain>). The
   * worker may ses:SendEmail from this identity and nothing else. Absent: emails are not sent (logged).
   */
  readonly emailFrom?: string;
  /** Tries of one job before it goes to the dead-letter queue. @default 3 */
  readonly maxReceiveCount?: number;
}

/**
 * Work the webhooks hand off instead of doing it while the carrier waits (DESIGN.md section 3: voicemail
 * emails, call queues' offers): an encrypted SQS FIFO queue (one message per job, deduplicated by the
 * job's id, so a retried callback sends nothing twice; a call queue's jobs in one message group, so one
 * queue is offered by one worker at a time), a worker Lambda that sends each email through Amazon SES v2
 * and places (or hangs up) each queue's offers through the carrier's REST API, a dead-letter queue for what
 * it could not do, and an alarm on it. The carrier link (the Twilio secret, the public URL the offers'
 * TwiML is served at) is given by the stack (lib/carrier-link.ts).
 */
export class BackgroundJobs extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly worker: SwitchboardFunction;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: BackgroundJobsProps) {
    super(scope, id);
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    const timeout = Duration.seconds(30);

    ({ queue: this.queue, deadLetterQueue: this.deadLetterQueue } = workQueue(this, {
      fifo: true,
      consumerTimeout: timeout,
      maxReceiveCount,
      // A voicemail email a day late is of little use; a week covers a long SES outage.
      retentionPeriod: Duration.days(7),
      deadLetterRetention: Duration.days(14),
      removalPolicy: props.removalPolicy,
    }));

    this.worker = new SwitchboardFunction(this, 'Worker', {
      entry: handlerEntry('job-worker'),
      description: 'Switchboard job worker: sends voicemail emails through Amazon SES, offers queued calls to members through Twilio',
      removalPolicy: props.removalPolicy,
      metricsNamespace: props.metricsNamespace,
      timeout,
      ...(props.emailFrom && { environment: { [ENV.emailFrom]: props.emailFrom } }),
    }).useTables(props.tables, {
      // A call queue's state: its callers and offers (Query of its partition), offers placed (UpdateItem), who
      // of its members is on a call (BatchGetItem of their presence).
      state: { actions: ['BatchGetItem', 'Query', 'UpdateItem'] },
      // The people the head caller's targets name (users and groups, then the groups' members).
      directory: { actions: ['BatchGetItem'] },
      numbers: 'none',
      flows: 'none',
      messages: 'none',
      traces: 'none',
      outbound: 'none',
    });
    if (props.emailFrom) {
      // SendEmail from this identity only (an address, or the domain an address belongs to).
      const identity = props.emailFrom.includes('@') ? props.emailFrom : props.emailFrom.toLowerCase();
      this.worker.addToRolePolicy(new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [Arn.format({ service: 'ses', resource: 'identity', resourceName: identity }, Stack.of(this))],
      }));
    }
    this.worker.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));

    const action = new SnsAction(props.alarmTopic);
    this.alarms = [
      deadLetterAlarm(this, this.deadLetterQueue, `Background jobs (voicemail emails, queue offers) failed ${maxReceiveCount} tries and wait in the dead-letter queue: check the SES identity and sending limits, then redrive them (docs/operations.md)`),
    ];
    for (const alarm of this.alarms) alarm.addAlarmAction(action);
  }

  /** Lets a function put jobs into the job queue and tells it where (JOB_QUEUE_URL). */
  grantPut(fn: SwitchboardFunction): void {
    this.queue.grantSendMessages(fn);
    fn.addEnvironment(ENV.jobQueueUrl, this.queue.queueUrl);
  }
}
