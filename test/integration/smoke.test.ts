import { createTestTables } from '../support/dynamo';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
test('tables are created in DynamoDB Local', async () => {
  const t = await createTestTables();
  // ListTables answers 100 names a page, and every test file makes its own six tables: read every page.
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
