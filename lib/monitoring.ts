import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm, ComparisonOperator, Dashboard, GraphWidget, MathExpression, Metric, TreatMissingData, type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { METRIC, SERVICE_NAME } from '../lambdas/observability/names';

export interface WebhookMonitoringProps {
  /** Every alarm notifies this topic (the on-call engineers' one). */
  readonly topic: ITopic;
  readonly httpApi: HttpApi;
  /** The webhook functions, by the name their alarms and graphs carry. */
  readonly webhooks: Record<string, IFunction>;
  readonly metricsNamespace: string;
  readonly dashboardName: string;
}

/**
 * What on-call needs to know about the carrier's side: an alarm on each webhook function's errors and
 * throttles (a throttled voice function is a caller hearing Twilio's fallback), on the HTTP API's 5xx,
 * and on callers answered with the apology because of an error or the deadline; a dashboard of answers,
 * safe answers, latency and errors.
 */
export class WebhookMonitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: WebhookMonitoringProps) {
    super(scope, id);
    if (Object.keys(props.webhooks).length === 0) throw new Error('WebhookMonitoring needs at least one webhook function');
    const period = Duration.minutes(5);
    const alarmWhen = (name: string, description: string, metric: IMetric) =>
      this.alarms.push(
        new Alarm(this, name, {
          alarmDescription: description,
          metric,
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );

    for (const [name, fn] of Object.entries(props.webhooks)) {
      alarmWhen(`${name}ErrorsAlarm`, `The ${name} webhook function failed (an invocation error: Twilio used the fallback URL)`, fn.metricErrors({ period, statistic: 'Sum' }));
      alarmWhen(`${name}ThrottlesAlarm`, `The ${name} webhook function was throttled (callers or texts went to the fallback URL)`, fn.metricThrottles({ period, statistic: 'Sum' }));
    }
    alarmWhen('HttpApi5xxAlarm', 'The HTTP API answered 5xx (admin API or webhooks)', props.httpApi.metricServerError({ period, statistic: 'Sum' }));

    const custom = (metricName: string, dimensions: Record<string, string> = {}) =>
      new Metric({ namespace: props.metricsNamespace, metricName, dimensionsMap: { service: SERVICE_NAME, ...dimensions }, period, statistic: 'Sum' });
    const failedAnswers = new MathExpression({
      expression: 'errors + timeouts',
      usingMetrics: { errors: custom(METRIC.safeAnswers, { reason: 'error' }), timeouts: custom(METRIC.safeAnswers, { reason: 'timeout' }) },
      period,
      label: 'Safe answers after an error or the deadline',
    });
    alarmWhen('FailedAnswersAlarm', 'Callers or texts got the safe answer because of an error or the answer deadline (a bug or a storage outage)', failedAnswers);

    const action = new SnsAction(props.topic);
    for (const alarm of this.alarms) alarm.addAlarmAction(action);

    const fns = Object.entries(props.webhooks);
    const safeByReason = new MathExpression({
      expression: `SEARCH('{${props.metricsNamespace},reason,service} MetricName="${METRIC.safeAnswers}"', 'Sum', 300)`,
      label: 'Safe answers by reason',
      period,
    });
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: [
        [
          new GraphWidget({ title: 'Answers', left: [custom(METRIC.webhookAnswers)], right: [custom(METRIC.callsUnrouted), custom(METRIC.textsUnrouted)], width: 12 }),
          new GraphWidget({ title: 'Safe answers by reason', left: [safeByReason], width: 12 }),
        ],
        [
          new GraphWidget({
            title: 'Latency (p50, p99)',
            left: fns.flatMap(([name, fn]) => [fn.metricDuration({ period, statistic: 'p50', label: `${name} p50` }), fn.metricDuration({ period, statistic: 'p99', label: `${name} p99` })]),
            width: 12,
          }),
          new GraphWidget({
            title: 'Errors, throttles, 5xx, rejected requests',
            left: [
              ...fns.flatMap(([name, fn]) => [fn.metricErrors({ period, statistic: 'Sum', label: `${name} errors` }), fn.metricThrottles({ period, statistic: 'Sum', label: `${name} throttles` })]),
              props.httpApi.metricServerError({ period, statistic: 'Sum', label: 'HTTP API 5xx' }),
            ],
            right: [new MathExpression({ expression: `SEARCH('{${props.metricsNamespace},reason,service} MetricName="${METRIC.webhookRejections}"', 'Sum', 300)`, label: 'Rejected (403 signature, 400 malformed, 413 too large)', period })],
            width: 12,
          }),
        ],
      ],
    });
  }
}
