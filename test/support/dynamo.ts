// Each test file gets its own set of tables in the shared DynamoDB Local, so files can run in parallel.
import { randomBytes } from 'node:crypto';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ensureTables } from '../../local/tables';
import { createDynamoDb, type DynamoDb } from '../../lambdas/store/dynamo-client';
import { localTableNames, tableEnv, type TableNames } from '../../lambdas/store/tables';

export interface TestTables {
  names: TableNames;
  env: Record<string, string>;
  client: DynamoDBClient;
  /** The stores' document client (lambdas/store/dynamo-client.ts); `client` is the plain DynamoDB client, for tables. */
  doc: DynamoDb;
}

export async function createTestTables(): Promise<TestTables> {
  const endpoint = process.env.AWS_ENDPOINT_URL_DYNAMODB;
  if (!endpoint) throw new Error('AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests through jest (globalSetup starts DynamoDB Local)');
  const client = new DynamoDBClient({ endpoint });
  const names = localTableNames(`t${randomBytes(4).toString('hex')}`);
  await ensureTables(client, names);
  const doc = createDynamoDb({ endpoint });
  return { names, env: tableEnv(names), client, doc };
}

/** Drops a test's tables: files that make tables per test keep DynamoDB Local small. */
export async function dropTestTables(tables: TestTables): Promise<void> {
  await Promise.all(Object.values(tables.names).map((TableName) => tables.client.send(new DeleteTableCommand({ TableName }))));
  tables.client.destroy();
  tables.doc.destroy();
}
