// Creates the tables of lambdas/store/tables.ts in DynamoDB Local (idempotent: existing tables are kept).
import {
  CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, UpdateTimeToLiveCommand,
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
      for (;;) {
        const { Table } = await client.send(new DescribeTableCommand({ TableName: names[key] }));
        if (Table?.TableStatus === 'ACTIVE') return;
        await new Promise((r) => setTimeout(r, 50));
      }
    }),
  );
}
