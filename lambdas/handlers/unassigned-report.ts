// Scheduled Lambda (EventBridge): the unassigned-number report to SNS, and its CloudWatch metrics.
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { documentClient } from '../store/dynamo';
import { DynamoFlowStore } from '../store/flow-store';
import { DynamoNumberStore } from '../store/number-store';
import { DynamoStateStore } from '../store/state-store';
import { tableNamesFromEnv } from '../store/tables';
import { metricsLine, runScheduledReport } from '../report/publish-report';
import { carrierCheck } from '../report/carrier-check';
import { carrierLinkFromEnv } from '../carrier/carrier-link';

const topicArn = process.env.ALERT_TOPIC_ARN;
const namespace = process.env.METRICS_NAMESPACE ?? 'Switchboard';
if (!topicArn) throw new Error('missing environment: ALERT_TOPIC_ARN');
// Only the tables this Lambda is granted: numbers and flows to read, state for counts and the report mark.
const tables = tableNamesFromEnv(process.env, ['numbers', 'flows', 'state']);
const doc = documentClient();
const stores = {
  numbers: new DynamoNumberStore(doc, tables.numbers, tables.flows),
  flows: new DynamoFlowStore(doc, tables.flows),
  state: new DynamoStateStore(doc, tables.state),
};
// The carrier too: numbers whose URLs point elsewhere are reported as not_connected.
const reportDeps = { ...stores, carrierCheck: carrierCheck(carrierLinkFromEnv(), stores.numbers) };
const sns = new SNSClient({});

export async function handler(): Promise<{ published: boolean; reason: string; numbers: number }> {
  const now = new Date();
  const result = await runScheduledReport(
    reportDeps,
    { publish: async (Subject, Message) => void (await sns.send(new PublishCommand({ TopicArn: topicArn, Subject, Message }))) },
    now,
    // Straight to stdout: the JSON log format would wrap console.log output and hide it from EMF.
    (report) => process.stdout.write(`${metricsLine(report, namespace, now)}\n`),
  );
  console.log(JSON.stringify({ level: 'INFO', message: 'unassigned-number report', published: result.published, reason: result.reason, numbers: result.report.numbers.length }));
  return { published: result.published, reason: result.reason, numbers: result.report.numbers.length };
}
