// Creates the tables of lambdas/store/tables.ts in DynamoDB Local (idempotent: existing tables are kept).
import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTableCommand, UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLES, TABLE_KEYS, createTableInput, type TableNames } from '../lambdas/store/tables';

export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all(
    TABLE_KEYS.map(async (key) => {
      const def = TABLES[key];
      try {
        await client.send(new CreateTableCommand(createTableInput(def, names[key])));
        if ('ttlAttribute' in def && def.ttlAttribute) {
          await client.send(
            new UpdateTimeToLiveCommand({
              TableName: names[key],
              TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true },
            }),
          );
        }
      } catch (err) {
        if (!(err instanceof ResourceInUseException)) throw err;
      }
      await untilActive(client, names[key]);
      // A table kept in --data-dir from an older version lacks the indexes added since: add them, one at a time.
      const input = createTableInput(def, names[key]);
      for (const index of input.GlobalSecondaryIndexes ?? []) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: names[key] }));
        if (Table?.GlobalSecondaryIndexes?.some((i) => i.IndexName === index.IndexName)) continue;
        const used = new Set(index.KeySchema?.map((k) => k.AttributeName));
        await client.send(
          new UpdateTableCommand({
            TableName: names[key],
            AttributeDefinitions: input.AttributeDefinitions.filter((a) => used.has(a.AttributeName)),
            GlobalSecondaryIndexUpdates: [{ Create: { IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection } }],
          }),
        );
        await untilActive(client, names[key]);
      }
    }),
  );
}

async function untilActive(client: DynamoDBClient, table: string): Promise<void> {
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((i) => i.IndexStatus === 'ACTIVE')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}
