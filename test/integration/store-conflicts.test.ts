// A store method that finds what it read gone stale throws Retry; called outside withRetries, that is
// still a 409 conflict in the admin error format, never a 500 (DESIGN.md invariant 3). Against DynamoDB Local.
import { errorResponse } from '../../lambdas/admin/middleware';
import { publishFlow } from '../../lambdas/admin/flows';
import { ConflictError } from '../../lambdas/errors';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { createStores } from '../../lambdas/store/stores';
import { callOnlyFlow } from '../support/fixtures';
import { createTestTables } from '../support/dynamo';

it('publishing over a head that moved since it was read is a ConflictError (409), and changes nothing', async () => {
  const t = await createTestTables();
  const stores = createStores(t.doc, t.names);
  const deps = { ...stores, now: () => new Date() };
  const doc = flowDocumentSchema.parse(callOnlyFlow('Stale'));
  const { id } = await publishFlow(deps, undefined, doc);
  const stale = await stores.flows.getHead(id);
  await publishFlow(deps, id, doc); // revision 2, after `stale` was read

  const err = await stores.flows.publish(id, doc, stale, new Date()).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConflictError);
  expect(errorResponse(err)?.statusCode).toBe(409);
  expect((await stores.flows.getHead(id)).revision).toBe(2);
  expect((await stores.flows.listRevisions(id)).map((r) => r.revision)).toEqual([2, 1]);
});
