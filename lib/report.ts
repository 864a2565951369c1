import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { SERVICE_NAME } from '../lambdas/observability/names';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';

export interface UnassignedReportProps {
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  /** CloudWatch namespace of the report's metrics; one per stage, so alarms of two stages never mix. */
  readonly metricsNamespace: string;
  /** An EventBridge `rate(...)` or `cron(...)` expression, already checked by readSwitchboardConfig. */
  readonly schedule: string;
  /** Where the report goes, and its alarms (lib/alerts.ts). */
  readonly alertTopic: ITopic;
}

/**
 * The unassigned-number report (DESIGN.md section 7): a scheduled Lambda that publishes the report to
 * the alert topic and puts metrics, and alarms on those metrics that notify the same topic.
 */
export class UnassignedReport extends Construct {
  readonly function: SwitchboardFunction;
  readonly topic: ITopic;
  readonly rule: Rule;
  readonly alarms: Alarm[];

  constructor(scope: Construct, id: string, props: UnassignedReportProps) {
    super(scope, id);
    this.topic = props.alertTopic;
    this.function = new SwitchboardFunction(this, 'Function', {
      entry: handlerEntry('unassigned-report'),
      description: 'Switchboard unassigned-number report: publishes numbers without a flow or not connected at Twilio, and puts metrics',
      removalPolicy: props.removalPolicy,
      timeout: Duration.minutes(1),
      metricsNamespace: props.metricsNamespace,
      environment: { [ENV.alertTopicArn]: this.topic.topicArn },
    }).useTables(props.tables, {
      // Numbers without a flow (noFlow index), the numbers of incomplete flows (byFlow), and one number by
      // key for each carrier number (GetItem); never a Scan.
      numbers: { actions: ['GetItem'], indexes: ['byFlow', 'noFlow'] },
      // The flow heads, through the heads index only.
      flows: { actions: [], indexes: ['heads'] },
      // The last report's mark (GetItem, PutItem) and each number's unrouted events (Query of the table).
      state: { actions: ['GetItem', 'Query', 'PutItem'] },
      directory: 'none',
      messages: 'none',
      traces: 'none',
      outbound: 'none',
    });
    this.topic.grantPublish(this.function);
    if (this.function.role) {
      Validations.of(this.function.role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: 'Publishing to a KMS-encrypted topic needs kms:GenerateDataKey*; Topic.grantPublish grants it on the topic key only',
      });
    }

    this.rule = new Rule(this, 'Schedule', {
      description: 'Runs the Switchboard unassigned-number report',
      schedule: Schedule.expression(props.schedule),
      // The next scheduled run redoes the work, so a failed run is not worth retrying for a day.
      targets: [new LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) })],
    });

    const alarmOn = (name: string, metricName: string, description: string) =>
      new Alarm(this, name, {
        alarmDescription: description,
        metric: new Metric({
          namespace: props.metricsNamespace,
          metricName,
          // Powertools puts every metric with the service dimension.
          dimensionsMap: { service: SERVICE_NAME },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No data means the report had nothing to put; it is not a reason to page anyone.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    this.alarms = [
      alarmOn('NumbersWithoutFlowAlarm', 'NumbersWithoutFlow', 'A number has no flow: its calls and texts go to the unrouted mailbox'),
      alarmOn('NumbersWithoutCallFlowAlarm', 'NumbersWithoutCallFlow', "A number's flow has no call part: its calls are lost"),
      alarmOn('NumbersWithoutSmsFlowAlarm', 'NumbersWithoutSmsFlow', "A number's flow has no sms part: its texts are lost"),
      alarmOn('NumbersNotConnectedAlarm', 'NumbersNotConnected', "A number's Voice or Messaging URL at Twilio points elsewhere: its calls and texts never reach Switchboard"),
      alarmOn('UnroutedCallsAlarm', 'UnroutedCalls', 'Calls reached a number without a call flow'),
      alarmOn('UnroutedTextsAlarm', 'UnroutedTexts', 'Texts reached a number without an sms flow'),
    ];
    // When the report itself fails, no other alert would ever come.
    this.alarms.push(
      new Alarm(this, 'ReportFailingAlarm', {
        alarmDescription: 'The unassigned-number report Lambda failed',
        metric: this.function.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    const action = new SnsAction(this.topic);
    for (const alarm of this.alarms) alarm.addAlarmAction(action);
  }
}
