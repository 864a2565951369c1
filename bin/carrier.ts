// `npm run carrier -- status|sync [--include-services=inbound-url|number-webhooks] [--url URL | --api ApiUrl]`:
// the account's numbers at the carrier (and what keeps the others from Switchboard), and the sync that
// imports and connects them, through the admin API of the local stack or, with --api, of a deployed stack,
// signed with your AWS credentials (DESIGN.md section 13). A sync is a job: it is started, then its
// progress is shown until it ends (on stderr; the result on stdout).
import { stackUrl } from '../local/cli-url';
import { parseArgs } from 'node:util';
import type { CarrierNumberView, CarrierSyncJob, IncludeServices, NotConnectedReason } from '../lambdas/api-types';
import { signedFetch } from '../local/signed-fetch';

const usage = `npm run carrier -- status|sync [--include-services=inbound-url|number-webhooks] [--url http://127.0.0.1:\${PORT:-3000} | --api <ApiUrl>] [--json]

  status   the account's numbers at Twilio: registered in Switchboard? connected? If not, why, and the fix:
             urls               its Voice, Messaging or fallback URLs point elsewhere (sync mends it)
             twiml_app          a TwiML app takes its calls or texts (sync detaches it)
             sip_trunk          a SIP trunk takes its calls, whatever its URLs (take it off the trunk in Twilio)
             messaging_service  its Messaging Service takes its texts (sync --include-services=...)
  sync     registers the unknown numbers (friendly name, no flow) and points every number's Voice URL,
           Messaging URL and both fallback URLs at this deployment (HTTP POST), as a job that shows its
           progress; run it again after a failure and it resumes where it stopped. Safe to run again.
           It never changes a SIP trunk, and changes a Messaging Service only when told how:
  --include-services=inbound-url       set each such service's inbound URL here (for all its numbers)
  --include-services=number-webhooks   make each such service use its numbers' own Messaging URLs

  --url URL      the local stack (default http://127.0.0.1:\${PORT:-3000})
  --api ApiUrl   a deployed stack (the ApiUrl output): requests are signed with SigV4 from your AWS credentials
  --json         the raw answer (status: the numbers; sync: the finished job)
`;

type Send = (path: string, init: { method: string; body?: string; headers?: Record<string, string> }) => Promise<Response>;

const INCLUDE: Record<string, IncludeServices> = { 'inbound-url': 'inbound_url', 'number-webhooks': 'number_webhooks' };
const POLL_MS = 1_000;

async function call(send: Send, base: string, method: string, path: string, body?: unknown): Promise<unknown> {
  let res: Response;
  try {
    res = await send(path, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined });
  } catch (err) {
    throw new Error(`cannot reach ${base} (${(err as Error).cause ?? (err as Error).message}); is \`npm start\` running?`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) {
    const error = (JSON.parse(text || '{}') as { error?: { message?: string } }).error;
    throw new Error(`${method} ${path} answered ${res.status}: ${error?.message ?? text}`);
  }
  return JSON.parse(text);
}

const WHY: Record<NotConnectedReason, string> = {
  urls: 'its URLs point elsewhere',
  twiml_app: 'a TwiML app takes it',
  sip_trunk: 'a SIP trunk takes its calls',
  messaging_service: 'its Messaging Service takes its texts',
};

export function formatStatus(numbers: CarrierNumberView[]): string {
  if (numbers.length === 0) return 'The Twilio account has no numbers.';
  const rows = numbers.map((n) => [n.number, n.friendlyName, n.registered ? 'yes' : 'no', n.connected ? 'yes' : 'NO', n.connected ? '' : (n.voiceUrl ?? '(none)'), n.reason ? `${n.reason}: ${WHY[n.reason]}` : '']);
  const header = ['NUMBER', 'FRIENDLY NAME', 'REGISTERED', 'CONNECTED', 'VOICE URL NOW', 'WHY NOT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const lost = numbers.filter((n) => !n.connected);
  const unknown = numbers.filter((n) => !n.registered).length;
  const lines = [fmt(header), ...rows.map(fmt), ''];
  if (!lost.length && !unknown) return [...lines, 'Every number is registered and connected.'].join('\n');
  const mendable = lost.filter((n) => n.reason === 'urls' || n.reason === 'twiml_app').length;
  lines.push(`${lost.length} not connected, ${unknown} not registered.`);
  if (mendable || unknown) lines.push(`\`npm run carrier -- sync\` registers and connects ${mendable ? `${mendable} of them` : 'them'}.`);
  // What sync does not mend on its own: each number and its fix.
  const elsewhere = lost.filter((n) => n.reason === 'sip_trunk' || n.reason === 'messaging_service');
  for (const n of elsewhere.slice(0, 20)) lines.push(`${n.number}: ${n.fix}`);
  if (elsewhere.length > 20) lines.push(`...and ${elsewhere.length - 20} more (--json lists them all)`);
  return lines.join('\n');
}

const thousands = (n: number) => n.toLocaleString('en-US');

/** One line of a job's progress. */
export function formatProgress(job: CarrierSyncJob): string {
  const where =
    job.phase === 'count' ? 'reading the account’s numbers'
    : job.phase === 'services' ? 'changing Messaging Services'
    : `${thousands(job.done)} of ${thousands(job.total ?? 0)} numbers`;
  const failed = job.failed ? `, ${thousands(job.failed)} failed` : '';
  const trouble = job.error ? ` (trying again: ${job.error})` : '';
  return `sync ${job.id}: ${where}${failed}${trouble}`;
}

/** The finished job in one line, then what it could not mend. */
export function formatResult(job: CarrierSyncJob): string {
  const lines = [`imported ${job.imported}, connected ${job.connected}, unchanged ${job.unchanged}`];
  if (job.servicesChanged) lines.push(`${job.servicesChanged} Messaging Service(s) now hand their texts here`);
  if (job.failed) lines.push(`${job.failed} number(s) Twilio refused to change:`, ...job.failures.map((f) => `  ${f.number}: ${f.error}`));
  const still = Object.entries(job.notConnected).filter(([, n]) => n);
  if (still.length) lines.push(`still not connected: ${still.map(([why, n]) => `${n} (${WHY[why as NotConnectedReason]})`).join(', ')}; \`npm run carrier -- status\` says how to fix each`);
  return lines.join('\n');
}

async function sync(send: Send, base: string, includeServices: IncludeServices | undefined, json: boolean): Promise<number> {
  let job = (await call(send, base, 'POST', '/cli/api/carrier/sync', includeServices ? { includeServices } : {})) as CarrierSyncJob & { started: string };
  if (job.started === 'resumed') process.stderr.write(`resuming sync ${job.id} at ${thousands(job.done)} of ${thousands(job.total ?? 0)} numbers\n`);
  if (job.started === 'running') process.stderr.write(`a sync is already running (${job.id}): following it\n`);
  const tty = process.stderr.isTTY;
  let shown = '';
  let shownAt = 0;
  while (job.status === 'running') {
    const line = formatProgress(job);
    // On a terminal one line, rewritten; in a log a line every 10 s or when the phase changes.
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else if (line !== shown && (Date.now() - shownAt > 10_000 || line.split(':')[1] !== shown.split(':')[1])) {
      process.stderr.write(`${line}\n`);
      shownAt = Date.now();
    }
    shown = line;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    job = { ...((await call(send, base, 'GET', `/cli/api/carrier/sync/${job.id}`)) as CarrierSyncJob), started: job.started };
  }
  if (tty) process.stderr.write('\r\x1b[K');
  if (json) console.log(JSON.stringify(job));
  if (job.status === 'failed') {
    process.stderr.write(`sync ${job.id} stopped at ${thousands(job.done)} of ${thousands(job.total ?? 0)} numbers: ${job.error}\nRun \`npm run carrier -- sync\` again to resume it there.\n`);
    return 1;
  }
  if (!json) console.log(formatResult(job));
  return 0;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { url: { type: 'string' }, api: { type: 'string' }, json: { type: 'boolean' }, 'include-services': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const command = positionals[0];
  if (values.help || !command || !['status', 'sync'].includes(command)) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const include = values['include-services'];
  if (include !== undefined && (command !== 'sync' || !INCLUDE[include])) {
    console.error(`npm run carrier: --include-services takes inbound-url or number-webhooks, with sync\n\n${usage}`);
    return 2;
  }
  const base = stackUrl(values.api ?? values.url);
  const send: Send = values.api ? signedFetch(base) : (path, init) => fetch(`${base}${path}`, init);
  if (command === 'status') {
    const { numbers } = (await call(send, base, 'GET', '/cli/api/carrier/numbers')) as { numbers: CarrierNumberView[] };
    console.log(values.json ? JSON.stringify(numbers, null, 2) : formatStatus(numbers));
    return 0;
  }
  return sync(send, base, include ? INCLUDE[include] : undefined, values.json ?? false);
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`npm run carrier: ${(err as Error).message}`);
    process.exit(1);
  },
);
