// The one Powertools metrics instance: CloudWatch embedded metric format, flushed by the logMetrics
// middleware at the end of each invocation. The namespace is the stage's (METRICS_NAMESPACE, set by
// the CDK), so the alarms of two stages never mix.
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { ENV } from '../config/env';
import { SERVICE_NAME } from './logger';

export const metrics = new Metrics({
  namespace: process.env[ENV.metricsNamespace] ?? 'Switchboard',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
});

/** The webhooks' metric names, stated once for the handlers, the CDK alarms and the dashboard. */
export const METRIC = {
  callsUnrouted: 'CallsUnrouted',
  textsUnrouted: 'TextsUnrouted',
  safeAnswers: 'SafeAnswers',
  appletRuns: 'AppletRuns',
  /** Every TwiML answer a webhook gave (routed or safe). */
  webhookAnswers: 'WebhookAnswers',
  /** 403 (signature) and 400 (malformed) refusals, by reason: a spike means a misconfigured URL or token, or an attack. */
  webhookRejections: 'WebhookRejections',
  /** A text whose MessageSid was handled before, answered with nothing. */
  replaysIgnored: 'ReplaysIgnored',
  /** Texts the carrier's REST API refused or did not take (text applet, voicemail notify...), by reason. */
  carrierSendFailures: 'CarrierSendFailures',
  /** Carrier items DynamoDB could not take, put in the durable spill instead (by kind). */
  itemsSpilled: 'ItemsSpilled',
  /** Spilled items the drain wrote to DynamoDB (by kind; a replay of one already there counts too). */
  itemsReplayed: 'ItemsReplayed',
  /** Carrier items neither DynamoDB nor the spill took: lost (by kind). */
  itemsLost: 'ItemsLost',
  /** Spilled items the store refuses for good (too large, invalid), set aside by the local drain (by kind; `unreadable`: a line that is no item). */
  itemsRejected: 'ItemsRejected',
  /** Media or recording URLs a webhook dropped before any write (not the carrier's, too long, over 10), by reason. */
  mediaDropped: 'MediaDropped',
  /** Text bodies over the carrier's 1,600 characters, cut before any write. */
  bodiesTruncated: 'BodiesTruncated',
} as const;

export function count(name: string, value = 1): void {
  metrics.addMetric(name, MetricUnit.Count, value);
}

/** A count with its own dimension (safe answers by reason, applet runs by type): one EMF record of its own. */
export function countBy(name: string, dimension: string, value: string, n = 1): void {
  const single = metrics.singleMetric();
  single.addDimension(dimension, value);
  single.addMetric(name, MetricUnit.Count, n);
}
