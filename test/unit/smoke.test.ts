import { createTestTables } from '../support/dynamo';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
test('tables are created in DynamoDB Local', async () => {
  const t = await createTestTables();
  // ListTables answers 100 names a page; other test files' tables are there too.
  const names: string[] = [];
  let ExclusiveStartTableName: string | undefined;
  do {
    const out = await t.client.send(new ListTablesCommand({ ExclusiveStartTableName }));
    names.push(...(out.TableNames ?? []));
    ExclusiveStartTableName = out.LastEvaluatedTableName;
  } while (ExclusiveStartTableName);
  expect(names).toEqual(expect.arrayContaining(Object.values(t.names)));
  t.client.destroy();
});
