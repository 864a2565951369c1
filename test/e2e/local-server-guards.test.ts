// Issue 18, items 4 and 5, against the real local server: it answers only requests addressed to itself
// (DNS rebinding: a page whose own host name resolves to 127.0.0.1 sends its own name as Host), and it
// stops reading a body past its route's limit (64 KB for a webhook, the 256 KB document limit for the
// admin API) with a 413, before any signature is computed or any JSON parsed.
import { request, type IncomingHttpHeaders } from 'node:http';
import type { LocalStack } from '../../local/stack';
import { DEMO_NUMBERS } from '../../local/seed';
import { newSid } from '../../local/carrier';
import { buildDashboardForTest } from '../../local/web-build';
import { signTwilioRequest } from '../../lambdas/twilio/signature';
import { formBody } from '../support/twilio-events';
import { http, startTestStack } from '../support/local-stack';

/** What PUBLIC_URL names here: a tunnel's host name, as `npm start` behind ngrok would have it. */
const PUBLIC_URL = 'https://calls.example.test';
const ATTACKER = 'rebind.attacker.test';

let stack: LocalStack;
let port: string;
const saved = process.env.PUBLIC_URL;
beforeAll(async () => {
  process.env.PUBLIC_URL = PUBLIC_URL;
  stack = await startTestStack({ webDir: await buildDashboardForTest() });
  port = new URL(stack.url).port;
});
afterAll(async () => {
  await stack?.stop();
  if (saved === undefined) delete process.env.PUBLIC_URL;
  else process.env.PUBLIC_URL = saved;
});

interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- an error answer of any route, read by path in the assertions
}

/** A request with a Host of our choosing (fetch cannot set Host; a browser on a rebinding domain sends its own). */
function raw(method: string, path: string, host: string | undefined, options: { headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, setHost: false, headers: { ...(host !== undefined ? { host } : {}), ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const callParams = (extra: Record<string, string> = {}) => ({
  CallSid: newSid('CA'),
  AccountSid: `AC${'2'.repeat(32)}`,
  From: '+15550109999',
  To: DEMO_NUMBERS.main,
  CallStatus: 'ringing',
  Direction: 'inbound',
  ApiVersion: '2010-04-01',
  ...extra,
});

/** A voice webhook signed as Twilio signs it, over PUBLIC_URL (what the server checks signatures against). */
function signedCall(host: string, params: Record<string, string> = callParams()) {
  const signature = signTwilioRequest(`${PUBLIC_URL}/twilio/voice`, params, stack.authToken);
  return raw('POST', '/twilio/voice', host, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body: formBody(params) });
}

const userCount = async () => (await http(stack, 'GET', '/api/users')).body.users.length as number;

describe('DNS rebinding: only requests addressed to this server are answered', () => {
  const foreign = () => `${ATTACKER}:${port}`;

  it('refuses a write from a rebinding page (Host and Origin both the attacker’s) with 421, changing nothing', async () => {
    const before = await userCount();
    const res = await raw('POST', '/api/users', foreign(), {
      headers: { origin: `http://${foreign()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mallory', phone: '+15550200666' }),
    });
    expect(res.status).toBe(421);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.json.error).toMatchObject({ code: 'misdirected_request', message: expect.stringContaining(`127.0.0.1:${port}`) });
    expect(res.json.error.message).toContain(ATTACKER);
    expect(await userCount()).toBe(before);
  });

  it('refuses a foreign Host on every route: admin reads, webhooks, the dashboard’s files, unknown paths', async () => {
    const routes: Array<[string, string]> = [
      ['GET', '/api/users'],
      ['GET', '/api/flows'],
      ['GET', `/api/numbers/${encodeURIComponent(DEMO_NUMBERS.main)}`],
      ['POST', '/twilio/voice'],
      ['POST', '/twilio/sms'],
      ['POST', '/twilio/fallback'],
      ['GET', '/'],
      ['GET', '/app.js'],
      ['GET', '/nowhere'],
    ];
    for (const [method, path] of routes) {
      const res = await raw(method, path, foreign());
      expect({ route: `${method} ${path}`, status: res.status, code: res.json?.error?.code }).toEqual({ route: `${method} ${path}`, status: 421, code: 'misdirected_request' });
      expect(res.text).not.toContain('Main line');
    }
    // A signed webhook is refused too: the carrier never calls this server by another name than PUBLIC_URL's.
    expect((await signedCall(foreign())).status).toBe(421);
    // The same host name at the right port, an IP that is not loopback, or loopback at another port.
    for (const host of [ATTACKER, `10.0.0.1:${port}`, `127.0.0.1:${Number(port) + 1}`, `localhost.${ATTACKER}:${port}`]) {
      expect((await raw('GET', '/api/flows', host)).status).toBe(421);
    }
  });

  it('answers 127.0.0.1, localhost and [::1] at its own port, in any letter case', async () => {
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LocalHost:${port}`, `[::1]:${port}`]) {
      const res = await raw('GET', '/api/flows', host);
      expect({ host, status: res.status }).toEqual({ host, status: 200 });
    }
    expect((await raw('GET', '/', `localhost:${port}`)).status).toBe(200);
    // Without a Host at all there is nothing to check it against.
    expect((await raw('GET', '/api/flows', undefined)).status).not.toBe(200);
  });

  it('answers PUBLIC_URL’s host for the webhooks only (a tunnel forwards Twilio’s requests with it)', async () => {
    const call = await signedCall('calls.example.test');
    expect(call.status).toBe(200);
    expect(call.text).toContain('<Response>');
    const viaLoopback = await signedCall(`127.0.0.1:${port}`);
    expect(viaLoopback.status).toBe(200);
    expect((await raw('GET', '/api/flows', 'calls.example.test')).status).toBe(421);
    expect((await raw('GET', '/', 'calls.example.test')).status).toBe(421);
    const write = await raw('POST', '/api/users', 'calls.example.test', {
      headers: { origin: PUBLIC_URL, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Mallory' }),
    });
    expect(write.status).toBe(421);
  });
});

it('refuses admin requests a page of another site made (Sec-Fetch-Site), reads included; its own page and tools pass', async () => {
  const before = await userCount();
  for (const site of ['cross-site', 'same-site']) {
    for (const [method, path] of [['GET', '/api/carrier/numbers'], ['GET', '/api/users'], ['POST', '/api/users']]) {
      const res = await raw(method, path, `127.0.0.1:${port}`, {
        headers: { 'sec-fetch-site': site, 'content-type': 'application/json', origin: stack.url },
        body: method === 'POST' ? JSON.stringify({ name: 'Mallory' }) : undefined,
      });
      expect({ site, method, path, status: res.status, code: res.json?.error?.code }).toEqual({ site, method, path, status: 403, code: 'forbidden_site' });
    }
  }
  expect(await userCount()).toBe(before);
  for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, {}] as Array<Record<string, string>>) {
    expect((await http(stack, 'GET', '/api/users', undefined, headers)).status).toBe(200);
  }
  // The dashboard opens from a link on another site; a webhook comes from the carrier, not a browser.
  expect((await raw('GET', '/', `127.0.0.1:${port}`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
});

describe('request bodies are capped while they are read', () => {
  /** 10 MB of `a=1&b=1&...`: about 2.6 million parameters, unsigned. */
  const tenMegabytes = () => 'p=1&'.repeat(2.6 * 1024 * 1024);

  it('refuses 10 MB of unsigned form parameters with 413 (not a 403 after parsing them), and goes on answering', async () => {
    const body = tenMegabytes();
    expect(body.length).toBeGreaterThan(10 * 1024 * 1024);
    for (const path of ['/twilio/sms', '/twilio/voice', '/twilio/voice/step?f=x', '/twilio/fallback']) {
      const res = await fetch(`${stack.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
      expect({ path, status: res.status }).toEqual({ path, status: 413 });
      expect(await res.text()).toMatch(/64 KB/);
    }
    // The same without a Content-Length (chunked): the server stops reading at the limit.
    const chunk = 'p=1&'.repeat(16 * 1024);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 160; i++) controller.enqueue(new TextEncoder().encode(chunk));
        controller.close();
      },
    });
    const chunked = await fetch(`${stack.url}/twilio/sms`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: stream, duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    // Still serving: an admin read and a signed call.
    expect((await http(stack, 'GET', '/api/flows')).status).toBe(200);
    const call = await signedCall(`127.0.0.1:${port}`);
    expect(call.status).toBe(200);
    expect(call.text).toContain('<Response>');
  });

  it('refuses a client that asks first (Expect: 100-continue) before it sends any of its 10 MB', async () => {
    const answer = await new Promise<{ status: number; continued: boolean; text: string }>((resolve, reject) => {
      let continued = false;
      const req = request({
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/twilio/sms',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(10 * 1024 * 1024), expect: '100-continue' },
      });
      req.on('continue', () => {
        continued = true;
        req.end(Buffer.alloc(10 * 1024 * 1024, 'a'));
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, continued, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(answer).toEqual({ status: 413, continued: false, text: expect.stringContaining('64 KB') });
    expect((await http(stack, 'GET', '/api/flows')).status).toBe(200);
  });

  it('refuses 201 parameters with 413 before the signature is checked, and takes 200', async () => {
    const padding = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`X${i}`, '1']));
    const base = callParams();
    const over = { ...base, ...padding(201 - Object.keys(base).length) };
    expect(Object.keys(over)).toHaveLength(201);
    // Unsigned: 413, not 403, so nothing was parsed or hashed.
    const unsigned = await raw('POST', '/twilio/voice', `127.0.0.1:${port}`, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: formBody(over) });
    expect(unsigned.status).toBe(413);
    expect(unsigned.text).toContain('200 parameters');
    expect((await signedCall(`127.0.0.1:${port}`, over)).status).toBe(413);
    const at = { ...base, ...padding(200 - Object.keys(base).length) };
    const ok = await signedCall(`127.0.0.1:${port}`, at);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('<Response>');
  });

  it('refuses a 300 KB JSON body on the admin API with 413 naming the 256 KB limit, and stores nothing', async () => {
    const before = await userCount();
    const big = JSON.stringify({ name: 'Big', phone: '+15550200777', note: 'x'.repeat(300 * 1024) });
    const res = await http(stack, 'POST', '/api/users', big);
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'payload_too_large', message: expect.stringContaining('256 KB') });
    const flow = await http(stack, 'PUT', '/api/flows/flw_whatever', big, { 'if-match': '"1"' });
    expect(flow.status).toBe(413);
    expect(await userCount()).toBe(before);
    // Under the limit, the same route still answers as before (400: `note` is not a field).
    expect((await http(stack, 'POST', '/api/users', JSON.stringify({ name: 'Big', note: 'x'.repeat(200 * 1024) }))).status).toBe(400);
  });
});
