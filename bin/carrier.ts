// `npm run carrier -- status|sync [--url URL | --api ApiUrl]`: the account's numbers at the carrier, and
// the sync that imports and connects them, through the admin API of the local stack or, with --api, of a
// deployed stack, signed with your AWS credentials (DESIGN.md section 13).
import { parseArgs } from 'node:util';
import { signedFetch } from '../local/signed-fetch';

const usage = `npm run carrier -- status|sync [--url http://127.0.0.1:\${PORT:-3000} | --api <ApiUrl>] [--json]

  status   the account's numbers at Twilio: registered in Switchboard? connected (all four URLs here)?
  sync     registers the unknown ones (friendly name, no flow) and points every number's Voice URL,
           Messaging URL and both fallback URLs at this deployment (HTTP POST). Safe to run again.

  --url URL      the local stack (default http://127.0.0.1:\${PORT:-3000})
  --api ApiUrl   a deployed stack (the ApiUrl output): requests are signed with SigV4 from your AWS credentials
`;

type Send = (path: string, init: { method: string; body?: string; headers?: Record<string, string> }) => Promise<Response>;

interface CarrierNumber {
  number: string;
  friendlyName: string;
  registered: boolean;
  connected: boolean;
  voiceUrl: string | null;
}

async function call(send: Send, base: string, method: string, path: string): Promise<unknown> {
  let res: Response;
  try {
    res = await send(path, { method, headers: method === 'POST' ? { 'content-type': 'application/json' } : {}, body: method === 'POST' ? '{}' : undefined });
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

export function formatStatus(numbers: CarrierNumber[]): string {
  if (numbers.length === 0) return 'The Twilio account has no numbers.';
  const rows = numbers.map((n) => [n.number, n.friendlyName, n.registered ? 'yes' : 'no', n.connected ? 'yes' : 'NO', n.connected ? '' : (n.voiceUrl ?? '(none)')]);
  const header = ['NUMBER', 'FRIENDLY NAME', 'REGISTERED', 'CONNECTED', 'VOICE URL NOW'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const lost = numbers.filter((n) => !n.connected).length;
  const unknown = numbers.filter((n) => !n.registered).length;
  const advice = lost || unknown ? `\n${lost} not connected, ${unknown} not registered: \`npm run carrier -- sync\` mends both.` : '\nEvery number is registered and connected.';
  return [fmt(header), ...rows.map(fmt)].join('\n') + advice;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { url: { type: 'string' }, api: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  const command = positionals[0];
  if (values.help || !command || !['status', 'sync'].includes(command)) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const base = (values.api ?? values.url ?? `http://127.0.0.1:${process.env.PORT ?? 3000}`).replace(/\/+$/, '');
  const send: Send = values.api ? signedFetch(base) : (path, init) => fetch(`${base}${path}`, init);
  if (command === 'status') {
    const { numbers } = (await call(send, base, 'GET', '/cli/api/carrier/numbers')) as { numbers: CarrierNumber[] };
    console.log(values.json ? JSON.stringify(numbers, null, 2) : formatStatus(numbers));
    return 0;
  }
  const result = (await call(send, base, 'POST', '/cli/api/carrier/sync')) as { imported: number; connected: number; unchanged: number };
  console.log(values.json ? JSON.stringify(result) : `imported ${result.imported}, connected ${result.connected}, unchanged ${result.unchanged}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`npm run carrier: ${(err as Error).message}`);
    process.exit(1);
  },
);
