// The one Powertools metrics instance: CloudWatch embedded metric format, flushed by the logMetrics
// middleware at the end of each invocation. The namespace is the stage's (METRICS_NAMESPACE, set by
// the CDK), so the alarms of two stages never mix.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV } from '../config/env';
import { SERVICE_NAME } from './names';

export { METRIC } from './names';

export const metrics = new Metrics({
  namespace: process.env[ENV.metricsNamespace] ?? 'Switchboard',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

export function count(name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** A count with its own dimension (safe answers by reason, applet runs by type): one EMF record of its own. */
export function countBy(name: string, dimension: string, value: string, n = 1): void {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, n);
}
