import { TABLES, TABLE_KEYS, type IndexDefinition, type KeyAttribute, type TableDefinition } from '../../lambdas/store/tables';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

const keySchema = (pk: KeyAttribute, sk?: KeyAttribute) => [
  { AttributeName: pk.name, KeyType: 'HASH' },
  ...(sk ? [{ AttributeName: sk.name, KeyType: 'RANGE' }] : []),
];

const definitions = TABLE_KEYS.map((key) => [key, TABLES[key] as TableDefinition] as const);

let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  dev = synthSwitchboard({ stage: 'dev' });
  prod = synthSwitchboard({ stage: 'prod' });
});

const tableOf = (synth: Synthesized, key: (typeof TABLE_KEYS)[number]) => {
  const id = logicalId(synth.stack.data.tables[key]);
  return { id, props: propertiesOf(synth.template, id), resource: synth.template.toJSON().Resources[id] };
};

describe('tables built from lambdas/store/tables.ts', () => {
  test('there is one table per definition, and no other', () => {
    dev.template.resourceCountIs('AWS::DynamoDB::GlobalTable', TABLE_KEYS.length);
  });

  test.each(definitions)('the %s table has the key schema of its definition', (key, def) => {
    expect(tableOf(dev, key).props.KeySchema).toEqual(keySchema(def.partitionKey, def.sortKey));
  });

  test.each(definitions)('the %s table has the indexes of its definition, with their projections', (key, def) => {
    const expected = (def.indexes as readonly IndexDefinition[]).map((index) => ({
      IndexName: index.name,
      KeySchema: keySchema(index.partitionKey, index.sortKey),
      Projection: index.nonKeyAttributes
        ? { ProjectionType: 'INCLUDE', NonKeyAttributes: [...index.nonKeyAttributes] }
        : { ProjectionType: 'ALL' },
    }));
    expect(tableOf(dev, key).props.GlobalSecondaryIndexes ?? []).toEqual(expected);
  });

  test.each(definitions)('the %s table declares the type of every key attribute', (key, def) => {
    const keys = [def.partitionKey, def.sortKey, ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey])];
    const expected = new Map(keys.filter((k) => k !== undefined).map((k) => [k.name, k.type]));
    const declared = tableOf(dev, key).props.AttributeDefinitions as { AttributeName: string; AttributeType: string }[];
    expect(new Map(declared.map((a) => [a.AttributeName, a.AttributeType]))).toEqual(expected);
  });

  test.each(definitions)('the %s table expires items only when its definition has a TTL attribute', (key, def) => {
    const ttl = tableOf(dev, key).props.TimeToLiveSpecification;
    if (def.ttlAttribute) expect(ttl).toEqual({ AttributeName: def.ttlAttribute, Enabled: true });
    else expect(ttl).toBeUndefined();
  });

  test('traces and state expire (DESIGN.md: traces are kept 30 days)', () => {
    for (const key of ['traces', 'state'] as const) {
      expect(tableOf(dev, key).props.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
    }
  });

  test.each(definitions)('the %s table is on-demand and encrypted with the AWS-managed key', (key) => {
    const { props } = tableOf(dev, key);
    expect(props.BillingMode).toBe('PAY_PER_REQUEST');
    expect(props.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
  });

  test.each(['dev', 'prod'])('every table has point-in-time recovery in the %s stage', (stage) => {
    const synth = stage === 'prod' ? prod : dev;
    for (const key of TABLE_KEYS) {
      expect(tableOf(synth, key).props.Replicas).toEqual([
        expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ]);
    }
  });
});

describe('stage-dependent protection', () => {
  test('in prod every table has deletion protection and is retained', () => {
    for (const key of TABLE_KEYS) {
      const { props, resource } = tableOf(prod, key);
      expect(props.Replicas[0].DeletionProtectionEnabled).toBe(true);
      expect(resource.DeletionPolicy).toBe('Retain');
      expect(resource.UpdateReplacePolicy).toBe('Retain');
    }
  });

  test('in dev no table has deletion protection and all are deleted with the stack', () => {
    for (const key of TABLE_KEYS) {
      const { props, resource } = tableOf(dev, key);
      expect(props.Replicas[0].DeletionProtectionEnabled).not.toBe(true);
      expect(resource.DeletionPolicy).toBe('Delete');
    }
  });

  test('in prod the log groups and the Twilio secret are retained too', () => {
    prod.template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
    prod.template.allResources('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  test('in dev the log groups go away with the stack', () => {
    dev.template.allResources('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  test('log groups keep one month of logs', () => {
    dev.template.allResourcesProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the stack is named after the stage', () => {
    expect(dev.stack.stackName).toBe('Switchboard-dev');
    expect(prod.stack.stackName).toBe('Switchboard-prod');
  });
});

test('the heads index leaves the flow document out (the dashboard never reads documents)', () => {
  const heads = (tableOf(dev, 'flows').props.GlobalSecondaryIndexes as Array<{ IndexName: string; Projection: { NonKeyAttributes?: string[] } }>).find((i) => i.IndexName === 'heads');
  expect(heads?.Projection.NonKeyAttributes).toEqual(expect.arrayContaining(['numberCount', 'hasCall', 'hasSms']));
  expect(heads?.Projection.NonKeyAttributes).not.toContain('document');
});
