// What both drains (the spill-drain Lambda, the local spool drain) give the replay to route items kept
// while their flow could not be read (late-route.ts): read-only stores of the numbers, flows and
// directory tables, opt-outs, and where the notifications, replies and forwards it decides on go: the
// outbound queue (DESIGN.md section 17), handed in by the drain that knows which one it has.
import type { TextSender } from '../carrier/text-sender';
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

export function lateRoutingStores(doc: DynamoDb, tables: Pick<TableNames, 'numbers' | 'flows' | 'directory' | 'state'>, texts: TextSender | undefined, env: NodeJS.ProcessEnv = process.env): RoutingPorts {
  return {
    numbers: new DynamoNumberStore(doc, tables.numbers, tables.flows),
    flows: new DynamoFlowStore(doc, tables.flows),
    directory: new DynamoDirectoryStore(doc, tables.directory),
    // Schedules (directory table) with their overrides (state table), in one BatchGetItem.
    schedules: new DynamoScheduleStore(doc, tables.directory, tables.state),
    texts,
    // A late STOP or START is recorded as of its arrival; the sender reads opt-outs before it texts anyone.
    optOuts: new DynamoStateStore(doc, tables.state),
    jobs: jobQueueFromEnv(env),
    dashboardUrl: env[ENV.dashboardUrl] || undefined,
  };
}
