// `npm run numbers-backfill -- --table <Numbers table>`: lists the numbers a deployment stored before the
// dashboard's search (issue 20 item 4) so they appear in GET /api/numbers again. Run once after upgrading a
// deployed stack, with AWS credentials that may Scan and UpdateItem that table (the local stack does this
// by itself at start). Idempotent: a second run finds nothing to do.
import { parseArgs } from 'node:util';
import { createDynamoDb } from '../lambdas/store/dynamo-client';
import { DynamoNumberStore } from '../lambdas/store/number-store';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { table: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const table = values.table ?? process.env.NUMBERS_TABLE;
  if (values.help || !table) {
    console.log('npm run numbers-backfill -- --table <Numbers table name>   (or NUMBERS_TABLE)\nLists numbers stored before the dashboard search, so GET /api/numbers finds them.');
    if (!table && !values.help) process.exitCode = 1;
    return;
  }
  const doc = createDynamoDb();
  // Only the numbers table is touched: the flows table is needed only to move numberCount, which this never does.
  const listed = await new DynamoNumberStore(doc, table, '-').backfillListing();
  console.log(listed ? `${listed} number(s) listed.` : 'Every number was already listed: nothing to do.');
  doc.destroy();
}

main().catch((err) => {
  console.error(`npm run numbers-backfill: ${(err as Error).message}`);
  process.exit(1);
});
