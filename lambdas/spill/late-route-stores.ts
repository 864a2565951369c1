// What both drains (the spill-drain Lambda, the local spool drain) give the replay to route items kept
// while their flow could not be read (late-route.ts): read-only stores of the numbers, flows and
// directory tables, and the carrier link for the notifications, replies and forwards it sends.
import { carrierLinkFromEnv, type CarrierLink } from '../carrier/carrier-link';
import { CarrierTextSender } from '../carrier/text-sender';
import { DynamoDirectoryStore } from '../store/directory-store';
import type { DynamoDb } from '../store/dynamo-client';
import { DynamoFlowStore } from '../store/flow-store';
import { DynamoNumberStore } from '../store/number-store';
import { DynamoScheduleStore } from '../store/schedule-store';
import { DynamoStateStore } from '../store/state-store';
import type { TableNames } from '../store/tables';
import type { RoutingPorts } from './late-route';
import { ENV } from '../config/env';
import { jobQueueFromEnv } from '../jobs/job-queue-from-env';

export function lateRoutingStores(doc: DynamoDb, tables: Pick<TableNames, 'numbers' | 'flows' | 'directory' | 'state'>, env: NodeJS.ProcessEnv = process.env): RoutingPorts {
  // The link is read from the environment at the first send: the local server sets the carrier's URL
  // after its drain is built, and a Lambda reads its secret only when a text is sent.
  let link: CarrierLink | undefined;
  // Opt-outs (state table): a late STOP is recorded, and nobody opted out is texted.
  const optOuts = new DynamoStateStore(doc, tables.state);
  return {
    numbers: new DynamoNumberStore(doc, tables.numbers, tables.flows),
    flows: new DynamoFlowStore(doc, tables.flows),
    directory: new DynamoDirectoryStore(doc, tables.directory),
    // Schedules (directory table) with their overrides (state table), in one BatchGetItem.
    schedules: new DynamoScheduleStore(doc, tables.directory, tables.state),
    texts: new CarrierTextSender(() => (link ??= carrierLinkFromEnv(env)).api(), undefined, optOuts),
    optOuts,
    jobs: jobQueueFromEnv(env),
    dashboardUrl: env[ENV.dashboardUrl] || undefined,
  };
}
