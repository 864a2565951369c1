// `npm run dashboard`: the proxy signs what it forwards with SigV4 (execute-api) using the credential
// chain, serves the built app, and refuses requests that are not its own page's (rebinding, CSRF).
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { regionOf, startDashboardProxy, type DashboardProxy } from '../../local/dashboard-proxy';
import { buildDashboardForTest } from '../../local/web-build';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const KEY = 'AKIDEXAMPLE12345';
const SECRET = 'wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY';
let upstream: Server;
let upstreamUrl: string;
let received: Received[] = [];
let proxy: DashboardProxy;
const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY, token: process.env.AWS_SESSION_TOKEN, profile: process.env.AWS_PROFILE };

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(req.method === 'PUT' ? 412 : 200, { 'content-type': 'application/json', etag: '"7"', 'set-cookie': 'x=1' }).end(JSON.stringify({ upstream: true }));
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
  // A stage path, as a REST-style ApiUrl may have: it must be part of what is signed.
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/prod`;
  // The default credential chain reads these first, as it would a developer's exported keys.
  process.env.AWS_ACCESS_KEY_ID = KEY;
  process.env.AWS_SECRET_ACCESS_KEY = SECRET;
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  proxy = await startDashboardProxy({ apiUrl: upstreamUrl, region: 'eu-west-1', port: 0, webDir: await buildDashboardForTest() });
});

afterAll(async () => {
  await proxy?.stop();
  await new Promise<void>((r) => upstream.close(() => r()));
  for (const [k, v] of Object.entries({ AWS_ACCESS_KEY_ID: saved.id, AWS_SECRET_ACCESS_KEY: saved.secret, AWS_SESSION_TOKEN: saved.token, AWS_PROFILE: saved.profile })) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

beforeEach(() => {
  received = [];
});

/** A raw GET with headers fetch() will not send as given (Host), as a page on a rebinding domain would. */
function rawStatus(path: string, headers: Record<string, string>): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: new URL(proxy.url).port, path, headers }, (res: IncomingMessage) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Signs the request the upstream received again, with the same keys and time, and compares. */
async function expectValidSignature(r: Received) {
  const auth = String(r.headers.authorization);
  const amzDate = String(r.headers['x-amz-date']);
  expect(auth).toMatch(new RegExp(`^AWS4-HMAC-SHA256 Credential=${KEY}/\\d{8}/eu-west-1/execute-api/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$`));
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(auth)![1].split(';');
  expect(signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
  const url = new URL(r.url, 'http://x');
  const headers: Record<string, string> = {};
  for (const h of signedHeaders) headers[h] = String(r.headers[h]);
  const signer = new SignatureV4({ service: 'execute-api', region: 'eu-west-1', credentials: { accessKeyId: KEY, secretAccessKey: SECRET }, sha256: Hash.bind(null, 'sha256') });
  const when = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const again = await signer.sign(
    {
      method: r.method,
      protocol: 'http:',
      hostname: '127.0.0.1',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: r.body || undefined,
    },
    { signingDate: when },
  );
  expect(again.headers.authorization).toBe(auth);
}

it('forwards a read to the API under its stage path, signed with SigV4 for execute-api', async () => {
  const res = await fetch(`${proxy.url}/api/numbers?status=no_flow`, { headers: { cookie: 'session=secret' } });
  expect(res.status).toBe(200);
  expect(res.headers.get('etag')).toBe('"7"');
  expect(res.headers.get('set-cookie')).toBeNull();
  expect(await res.json()).toEqual({ upstream: true });
  expect(received).toHaveLength(1);
  expect(received[0].url).toBe('/prod/cli/api/numbers?status=no_flow');
  expect(received[0].headers.host).toBe(new URL(upstreamUrl).host);
  expect(received[0].headers.cookie).toBeUndefined();
  await expectValidSignature(received[0]);
});

it('signs a write with its JSON body, content-type and If-Match, and passes the answer back unchanged', async () => {
  const body = JSON.stringify({ name: 'Renamed', call: { start: 'a', applets: { a: { type: 'hangup' } } } });
  const res = await fetch(`${proxy.url}/api/flows/f1`, { method: 'PUT', headers: { 'content-type': 'application/json', 'if-match': '"3"', origin: proxy.url }, body });
  expect(res.status).toBe(412);
  const r = received[0];
  expect(r).toMatchObject({ method: 'PUT', url: '/prod/cli/api/flows/f1', body });
  expect(r.headers['if-match']).toBe('"3"');
  expect(String(r.headers.authorization)).toMatch(/SignedHeaders=[^,]*content-type/);
  await expectValidSignature(r);
});

it('sends a phone number in a path encoded once, whichever way the page wrote it, and signs that', async () => {
  for (const written of ['+15550100001', '%2B15550100001']) {
    await fetch(`${proxy.url}/api/numbers/${written}/flow`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
  }
  expect(received.map((r) => r.url)).toEqual(['/prod/cli/api/numbers/%2B15550100001/flow', '/prod/cli/api/numbers/%2B15550100001/flow']);
  for (const r of received) await expectValidSignature(r);
});

it('refuses a write from another site and a request addressed to another host name, forwarding nothing', async () => {
  const csrf = await fetch(`${proxy.url}/api/flows`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'https://evil.example' }, body: '{}' });
  expect(csrf.status).toBe(403);
  expect(((await csrf.json()) as { error: { message: string } }).error.message).toContain('https://evil.example');
  const port = new URL(proxy.url).port;
  // A page on a rebinding domain: 421 for the API and for the page itself (the same check as the local stack's).
  for (const path of ['/api/flows', '/']) {
    const rebound = await rawStatus(path, { host: `attacker.example:${port}` });
    expect({ path, status: rebound }).toEqual({ path, status: 421 });
  }
  expect(received).toEqual([]);
  // Its own names, in any letter case, are answered.
  expect(await rawStatus('/api/flows', { host: `LOCALHOST:${port}` })).toBe(200);
  expect(received).toHaveLength(1);
});

it('refuses any request a page of another site made (Sec-Fetch-Site cross-site or same-site), reads included, signing nothing', async () => {
  // An <img src="http://127.0.0.1:4000/api/carrier/numbers"> on another site, a form posted from one,
  // a fetch from another port of localhost (same-site): the browser says so in Sec-Fetch-Site.
  for (const site of ['cross-site', 'same-site', 'Cross-Site']) {
    for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const write = method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS';
      const res = await fetch(`${proxy.url}/api/carrier/numbers`, {
        method,
        headers: { 'sec-fetch-site': site, ...(write ? { 'content-type': 'application/json', origin: proxy.url } : {}) },
        body: write ? '{}' : undefined,
      });
      expect({ site, method, status: res.status }).toEqual({ site, method, status: 403 });
      if (method !== 'HEAD') expect(((await res.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: 'forbidden_site', message: expect.stringContaining('another site') });
    }
  }
  expect(received).toEqual([]);
  // The dashboard's own requests (same-origin), the user's own navigation (none) and tools that send no
  // Sec-Fetch-Site (curl, scripts) are signed and forwarded as before.
  for (const headers of [{ 'sec-fetch-site': 'same-origin' }, { 'sec-fetch-site': 'none' }, {}] as Array<Record<string, string>>) {
    expect((await fetch(`${proxy.url}/api/carrier/numbers`, { headers })).status).toBe(200);
  }
  expect(received.map((r) => r.url)).toEqual(['/prod/cli/api/carrier/numbers', '/prod/cli/api/carrier/numbers', '/prod/cli/api/carrier/numbers']);
  for (const r of received) await expectValidSignature(r);
  // Opening the dashboard from a link on another site is a cross-site navigation: the page is not signed, it loads.
  expect((await fetch(`${proxy.url}/`, { headers: { 'sec-fetch-site': 'cross-site' } })).status).toBe(200);
});

it('refuses a body over its limit with 413 before signing it, and keeps answering', async () => {
  const res = await fetch(`${proxy.url}/api/flows`, { method: 'POST', headers: { 'content-type': 'application/json', origin: proxy.url }, body: `{"x":"${'x'.repeat(1024 * 1024)}"}` });
  expect(res.status).toBe(413);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
  expect(received).toEqual([]);
  expect((await fetch(`${proxy.url}/api/flows`)).status).toBe(200);
});

it('serves the dashboard itself from the build, not from the API', async () => {
  const res = await fetch(`${proxy.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
  expect(await res.text()).toContain('<script type="module" src="/app.js">');
  expect((await fetch(`${proxy.url}/app.js`)).status).toBe(200);
  expect(received).toEqual([]);
});

it('says which region an execute-api URL is in, and refuses to guess for another host', async () => {
  expect(regionOf('https://abc123.execute-api.eu-west-1.amazonaws.com')).toBe('eu-west-1');
  expect(regionOf('https://api.example.com')).toBeUndefined();
  await expect(startDashboardProxy({ apiUrl: 'https://api.example.com', port: 0, webDir: '/nonexistent' })).rejects.toThrow('--region');
});

it('answers 502 with a message when the API cannot be reached', async () => {
  const dead = await startDashboardProxy({ apiUrl: 'http://127.0.0.1:9/', region: 'us-east-1', port: 0, webDir: '/nonexistent' });
  try {
    const res = await fetch(`${dead.url}/api/flows`);
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
  } finally {
    await dead.stop();
  }
});
