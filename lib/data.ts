import type { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, ProjectionType, TableEncryptionV2, TableV2, type Attribute } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLES, TABLE_KEYS, type IndexDefinition, type KeyAttribute, type TableDefinition, type TableKey } from '../lambdas/store/tables';

export interface SwitchboardDataProps {
  /** Turns on deletion protection; RETAIN/DESTROY comes with `removalPolicy`. */
  readonly production: boolean;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * Every table of lambdas/store/tables.ts, the one definition the local server also builds from:
 * keys, indexes and TTL are read from there, never restated here.
 */
export class SwitchboardData extends Construct {
  readonly tables: Record<TableKey, TableV2>;

  constructor(scope: Construct, id: string, props: SwitchboardDataProps) {
    super(scope, id);
    const tables = {} as Record<TableKey, TableV2>;
    for (const key of TABLE_KEYS) tables[key] = this.createTable(TABLES[key], props);
    this.tables = tables;
  }

  private createTable(def: TableDefinition, props: SwitchboardDataProps): TableV2 {
    return new TableV2(this, def.id, {
      partitionKey: attribute(def.partitionKey),
      sortKey: def.sortKey && attribute(def.sortKey),
      // Projection ALL unless the definition names the attributes to keep (heads leave the document out).
      globalSecondaryIndexes: (def.indexes as readonly IndexDefinition[]).map((index) => ({
        indexName: index.name,
        partitionKey: attribute(index.partitionKey),
        sortKey: index.sortKey && attribute(index.sortKey),
        ...(index.nonKeyAttributes
          ? { projectionType: ProjectionType.INCLUDE, nonKeyAttributes: [...index.nonKeyAttributes] }
          : {}),
      })),
      timeToLiveAttribute: def.ttlAttribute,
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.awsManagedKey(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: props.production,
      removalPolicy: props.removalPolicy,
    });
  }
}

function attribute(key: KeyAttribute): Attribute {
  return { name: key.name, type: key.type === 'N' ? AttributeType.NUMBER : AttributeType.STRING };
}
