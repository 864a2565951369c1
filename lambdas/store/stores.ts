// Builds the DynamoDB stores over one document client and the physical table names.
import type { DynamoDb } from './dynamo-client';
import { DynamoDirectoryStore } from './directory-store';
import { DynamoFlowStore } from './flow-store';
import { DynamoMessageStore } from './message-store';
import { DynamoNumberStore } from './number-store';
import { DynamoScheduleStore } from './schedule-store';
import { DynamoOutboundStore } from './outbound-store';
import { DynamoStateStore } from './state-store';
import { DynamoSyncJobStore } from './sync-job-store';
import { DynamoQueueStore } from './queue-store';
import { DynamoTraceStore } from './trace-store';
import type { TableNames } from './tables';

export function createStores(doc: DynamoDb, tables: TableNames) {
  return {
    ...routingStores(doc, tables),
    /** Every outbound text's delivery record (DESIGN.md section 17). */
    outbound: new DynamoOutboundStore(doc, tables.outbound),
  };
}
export type Stores = ReturnType<typeof createStores>;

/** The stores of every table but Outbound: what the voice webhook uses (it is not granted that table). */
export function routingStores(doc: DynamoDb, tables: Omit<TableNames, 'outbound'>) {
  const directory = new DynamoDirectoryStore(doc, tables.directory);
  const state = new DynamoStateStore(doc, tables.state);
  return {
    directory,
    flows: new DynamoFlowStore(doc, tables.flows, directory),
    numbers: new DynamoNumberStore(doc, tables.numbers, tables.flows),
    messages: new DynamoMessageStore(doc, tables.messages),
    traces: new DynamoTraceStore(doc, tables.traces),
    state,
    /** Opt-outs live in the state table (DESIGN.md section 17). */
    optOuts: state,
    /** Carrier sync jobs too (DESIGN.md section 13). */
    syncJobs: new DynamoSyncJobStore(doc, tables.state),
    /** So does who is on a call (longest-idle dials, queues), and who waits in each call queue. */
    presence: state,
    queues: new DynamoQueueStore(doc, tables.state),
    /** Wrong override PINs are counted in the state table (DESIGN.md section 15). */
    pins: state,
    /** Schedules live in the directory table, their overrides in the state table (DESIGN.md section 15). */
    schedules: new DynamoScheduleStore(doc, tables.directory, tables.state),
  };
}
