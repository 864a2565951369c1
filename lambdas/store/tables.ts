// The one definition of every DynamoDB table: the CDK construct (lib/data.ts) and the local server
// (local/tables.ts) both build their tables from this. The key design is explained in docs/data-model.md.

export type AttributeType = 'S' | 'N';
export interface KeyAttribute {
  name: string;
  type: AttributeType;
}
export interface IndexDefinition {
  name: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  /** Project only these attributes (INCLUDE) instead of ALL: keeps large attributes out of the index. */
  nonKeyAttributes?: readonly string[];
}
export interface TableDefinition {
  /** Logical name: CDK construct id and local table name suffix. */
  id: string;
  /** Environment variable that carries the physical table name to the Lambdas. */
  envVar: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  indexes: IndexDefinition[];
  /** Attribute holding an epoch-seconds expiry, when items expire. */
  ttlAttribute?: string;
}

export const TABLES = {
  numbers: {
    id: 'Numbers',
    envVar: 'NUMBERS_TABLE',
    partitionKey: { name: 'number', type: 'S' },
    indexes: [
      // A flow's numbers. Only assigned numbers carry flowId, so the index is sparse by construction.
      { name: 'byFlow', partitionKey: { name: 'flowId', type: 'S' }, sortKey: { name: 'number', type: 'S' } },
      // Numbers without a flow carry noFlow = "1" (and lose it on assignment): the report reads only them.
      { name: 'noFlow', partitionKey: { name: 'noFlow', type: 'S' }, sortKey: { name: 'number', type: 'S' } },
      // Every number carries listed = "1": the dashboard's list, searched and paged in number order (docs/data-model.md).
      { name: 'listed', partitionKey: { name: 'listed', type: 'S' }, sortKey: { name: 'number', type: 'S' } },
    ],
  },
  flows: {
    id: 'Flows',
    envVar: 'FLOWS_TABLE',
    // rev 0 is the flow's head (name, current revision, numberCount, references); rev n >= 1 is revision n, immutable.
    partitionKey: { name: 'id', type: 'S' },
    sortKey: { name: 'rev', type: 'N' },
    indexes: [
      // Only heads carry head = "1": the dashboard and the report list flows without reading revisions.
      // The head also carries a copy of the current document (so an incoming call reads number + head
      // only); the index leaves it out.
      {
        name: 'heads',
        partitionKey: { name: 'head', type: 'S' },
        sortKey: { name: 'id', type: 'S' },
        nonKeyAttributes: [
          'rev', 'name', 'revision', 'numberCount', 'hasCall', 'hasSms', 'callApplets', 'smsApplets', 'users', 'groups',
          'redirects', 'noCallSince', 'noSmsSince', 'createdAt', 'updatedAt',
        ],
      },
    ],
    // Only the revisions of a deleted flow carry expiresAt (a day after the delete): calls in progress on
    // them can finish.
    ttlAttribute: 'expiresAt',
  },
  directory: {
    id: 'Directory',
    envVar: 'DIRECTORY_TABLE',
    // Users (`usr_…`), groups (`grp_…`) and shared schedules (`sch_…`).
    partitionKey: { name: 'id', type: 'S' },
    indexes: [
      { name: 'byKind', partitionKey: { name: 'kind', type: 'S' }, sortKey: { name: 'id', type: 'S' } },
      // Who texted: only users carry `phone`, so the index is sparse; it keeps only what a text that closes
      // or opens a schedule needs (DESIGN.md section 15), never the reference sets.
      { name: 'byPhone', partitionKey: { name: 'phone', type: 'S' }, sortKey: { name: 'id', type: 'S' }, nonKeyAttributes: ['kind', 'name', 'role', 'pin'] },
    ],
  },
  messages: {
    id: 'Messages',
    envVar: 'MESSAGES_TABLE',
    // id is the carrier's Sid (RecordingSid, MessageSid): a retried callback cannot store twice.
    partitionKey: { name: 'id', type: 'S' },
    indexes: [
      { name: 'byMailbox', partitionKey: { name: 'mailbox', type: 'S' }, sortKey: { name: 'receivedAt', type: 'S' } },
    ],
  },
  traces: {
    id: 'Traces',
    envVar: 'TRACES_TABLE',
    partitionKey: { name: 'sid', type: 'S' },
    sortKey: { name: 'step', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  state: {
    id: 'State',
    envVar: 'STATE_TABLE',
    // Small runtime state: round-robin counters, sticky members, unrouted events, the report mark, opt-outs,
    // schedule overrides and wrong-PIN counts.
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    indexes: [],
    ttlAttribute: 'expiresAt',
  },
  outbound: {
    id: 'Outbound',
    envVar: 'OUTBOUND_TABLE',
    // One record per outbound text, keyed by our id (txt_...), which its StatusCallback URL carries
    // (DESIGN.md section 17): queued -> sent -> delivered | undelivered | failed, with Twilio's error code.
    partitionKey: { name: 'id', type: 'S' },
    indexes: [
      // `GET /api/carrier/messages?status=`: the texts with one status, newest first.
      { name: 'byStatus', partitionKey: { name: 'status', type: 'S' }, sortKey: { name: 'queuedAt', type: 'S' } },
      // Without a status: every record carries feed = "1", newest first. Texts are few next to calls.
      { name: 'recent', partitionKey: { name: 'feed', type: 'S' }, sortKey: { name: 'queuedAt', type: 'S' } },
    ],
    // Records are kept 30 days, as traces are.
    ttlAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;
export const TABLE_KEYS = Object.keys(TABLES) as TableKey[];

/** Physical table names, read once from the environment (set by the CDK construct or the local server). */
export type TableNames = Record<TableKey, string>;

/** Reads the names of `keys` (all tables by default): a Lambda asks only for the tables it is granted. */
export function tableNamesFromEnv<K extends TableKey = TableKey>(env: NodeJS.ProcessEnv = process.env, keys: readonly K[] = TABLE_KEYS as K[]): Pick<TableNames, K> {
  const names = {} as Pick<TableNames, K>;
  const missing: string[] = [];
  for (const key of keys) {
    const value = env[TABLES[key].envVar];
    if (value) names[key] = value;
    else missing.push(TABLES[key].envVar);
  }
  if (missing.length) throw new Error(`missing environment: ${missing.join(', ')}`);
  return names;
}

/** Names used by the local server and the tests: `${prefix}-numbers`, ... */
export function localTableNames(prefix = 'switchboard'): TableNames {
  return Object.fromEntries(TABLE_KEYS.map((k) => [k, `${prefix}-${k}`])) as TableNames;
}

export function tableEnv(names: TableNames): Record<string, string> {
  return Object.fromEntries(TABLE_KEYS.map((k) => [TABLES[k].envVar, names[k]]));
}

/** CreateTable input for DynamoDB Local (on-demand, like the CDK tables). */
export function createTableInput(def: TableDefinition, tableName: string) {
  const attributes = new Map<string, AttributeType>();
  const indexes: readonly IndexDefinition[] = def.indexes;
  const keys = [def.partitionKey, def.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
  for (const k of keys) if (k) attributes.set(k.name, k.type);
  const keySchema = (pk: KeyAttribute, sk?: KeyAttribute) => [
    { AttributeName: pk.name, KeyType: 'HASH' as const },
    ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' as const }] : []),
  ];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({ AttributeName, AttributeType })),
    KeySchema: keySchema(def.partitionKey, def.sortKey),
    ...(indexes.length
      ? {
          GlobalSecondaryIndexes: indexes.map((i) => ({
            IndexName: i.name,
            KeySchema: keySchema(i.partitionKey, i.sortKey),
            Projection: i.nonKeyAttributes
              ? { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...i.nonKeyAttributes] }
              : { ProjectionType: 'ALL' as const },
          })),
        }
      : {}),
  };
}
