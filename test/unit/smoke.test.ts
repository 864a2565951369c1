import { createTestTables } from '../support/dynamo';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
test('tables are created in DynamoDB Local', async () => {
  const t = await createTestTables();
  const out = await t.client.send(new ListTablesCommand({}));
  expect(out.TableNames).toEqual(expect.arrayContaining(Object.values(t.names)));
  t.client.destroy();
});
