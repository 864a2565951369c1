// The local stack serves the built dashboard at / beside the API and the webhooks, and nothing else from disk.
import { request } from 'node:http';
import type { LocalStack } from '../../local/stack';
import { buildDashboardForTest } from '../../local/web-build';
import { http, startTestStack } from '../support/local-stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack({ webDir: await buildDashboardForTest() });
});
afterAll(() => stack?.stop());

/** A raw GET, so a path like /../x is sent as written (fetch would normalise it). */
const rawGet = (path: string) =>
  new Promise<number>((resolve, reject) => {
    const u = new URL(stack.url);
    const req = request({ host: u.hostname, port: u.port, path }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });

it('serves index.html at / with a same-origin content security policy, and the bundle beside it', async () => {
  const res = await fetch(`${stack.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy') ?? '';
  expect(csp).toContain("default-src 'self'");
  expect(csp).toContain("frame-ancestors 'none'");
  const html = await res.text();
  expect(html).toContain('<script type="module" src="/app.js"></script>');
  expect(html).not.toMatch(/https?:\/\//);
  const js = await fetch(`${stack.url}/app.js`);
  expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect((await js.text()).length).toBeGreaterThan(1000);
  expect((await fetch(`${stack.url}/app.css`)).status).toBe(200);
});

it('keeps /api and /twilio for the Lambdas, and serves nothing outside the build folder', async () => {
  expect((await http(stack, 'GET', '/api/flows')).status).toBe(200);
  expect((await http(stack, 'GET', '/api/index.html')).body.error.code).toBe('not_found');
  expect((await http(stack, 'POST', '/twilio/voice')).status).toBe(403);
  expect((await http(stack, 'GET', '/missing.js')).status).toBe(404);
  expect((await http(stack, 'POST', '/index.html')).status).toBe(404);
  expect(await rawGet('/../package.json')).toBe(404);
  expect(await rawGet('/%2e%2e/package.json')).toBe(404);
  expect(await rawGet('/..%2f..%2fpackage.json')).toBe(404);
});
