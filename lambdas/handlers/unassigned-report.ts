// Scheduled Lambda (EventBridge): the unassigned-number report to SNS, and its CloudWatch metrics
// (Powertools, EMF), as a middy pipeline.
import middy from '@middy/core';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { ENV } from '../config/env';
import { logger } from '../observability/logger';
import { metrics } from '../observability/metrics';
import { reportMetricValues, runScheduledReport } from '../report/publish-report';
import { dynamoDb } from '../store/dynamo-client';
import { DynamoFlowStore } from '../store/flow-store';
import { DynamoNumberStore } from '../store/number-store';
import { DynamoStateStore } from '../store/state-store';
import { tableNamesFromEnv } from '../store/tables';
import { carrierCheck, liveAccount } from '../report/carrier-check';
import { carrierLinkFromEnv } from '../carrier/carrier-link';

const topicArn = process.env[ENV.alertTopicArn];
if (!topicArn) throw new Error(`missing environment: ${ENV.alertTopicArn}`);
// Only the tables this Lambda is granted: numbers and flows to read, state for counts and the report mark.
const tables = tableNamesFromEnv(process.env, ['numbers', 'flows', 'state']);
const doc = dynamoDb();
const stores = {
  numbers: new DynamoNumberStore(doc, tables.numbers, tables.flows),
  flows: new DynamoFlowStore(doc, tables.flows),
  state: new DynamoStateStore(doc, tables.state),
};
// The carrier too: numbers whose URLs point elsewhere are reported as not_connected.
const reportDeps = { ...stores, carrierCheck: carrierCheck(liveAccount(carrierLinkFromEnv()), stores.numbers) };
const sns = new SNSClient({});

async function run(): Promise<{ published: boolean; reason: string; numbers: number }> {
  const result = await runScheduledReport(
    reportDeps,
    { publish: async (Subject, Message) => void (await sns.send(new PublishCommand({ TopicArn: topicArn, Subject, Message }))) },
    new Date(),
    (report) => {
      for (const [name, value] of Object.entries(reportMetricValues(report))) metrics.addMetric(name, MetricUnit.Count, value);
    },
  );
  logger.info('unassigned-number report', { published: result.published, reason: result.reason, numbers: result.report.numbers.length });
  return { published: result.published, reason: result.reason, numbers: result.report.numbers.length };
}

export const handler = middy(run).use(injectLambdaContext(logger, { resetKeys: true })).use(logMetrics(metrics));
