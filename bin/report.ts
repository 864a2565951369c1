// `npm run report [-- --json] [--url http://127.0.0.1:3000]`: the unassigned-number report of the running local stack.
import { parseArgs } from 'node:util';
import { stackUrl } from '../local/cli-url';
import { formatReport } from '../lambdas/report/format';
import type { UnassignedReport } from '../lambdas/report/unassigned-report';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, url: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('npm run report [-- --json] [--url http://127.0.0.1:${PORT:-3000}]\nPrints the unassigned-number report of the stack at --url, else at http://127.0.0.1:$PORT (3000 when unset); reading it changes nothing.');
    return;
  }
  const base = stackUrl(values.url);
  let res: Response;
  try {
    // The command-line tools' route: open locally, and the one that stays open to them with --auth.
    res = await fetch(`${base}/cli/api/report/unassigned`);
  } catch (err) {
    throw new Error(`cannot reach ${base} (${(err as Error).cause ?? (err as Error).message}); is \`npm start\` running?`, { cause: err });
  }
  if (!res.ok) throw new Error(`${base}/cli/api/report/unassigned answered ${res.status}: ${await res.text()}`);
  const report = (await res.json()) as UnassignedReport;
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
}

main().catch((err) => {
  console.error(`npm run report: ${(err as Error).message}`);
  process.exit(1);
});
