// The local server runs at most LOCAL_CONCURRENCY handler invocations at once, as that many Lambda
// environments would (issue 18: 300 handlers started together each ran out their answer deadline while
// the others ran). The rest wait their turn, and a handler that fails gives its turn back.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { SOCKETS_PER_CLIENT } from '../../lambdas/config/request-budget';
import { createLocalServer, LOCAL_CONCURRENCY, type LambdaHandler, type Routes } from '../../local/server';

let server: Server;
let url: string;
let running = 0;
let peak = 0;

const handler: LambdaHandler = async (event) => {
  peak = Math.max(peak, ++running);
  try {
    await new Promise((r) => setTimeout(r, 20));
    if (event.rawPath.endsWith('/fail')) throw new Error('handler failed');
    return { statusCode: 200, body: 'ok' };
  } finally {
    running--;
  }
};

beforeAll(async () => {
  const routes = { admin: handler, voice: handler, sms: handler, fallback: handler } as Routes;
  server = createLocalServer(() => routes, { concurrency: 4 });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => (server.close(() => r()), server.closeAllConnections())));

const post = (path: string) => fetch(`${url}${path}`, { method: 'POST', body: 'x=1', signal: AbortSignal.timeout(30_000) }).then(async (res) => ({ status: res.status, body: await res.text() }));

it('runs at most its concurrency at once; every request is answered', async () => {
  peak = 0;
  const answers = await Promise.all(Array.from({ length: 40 }, () => post('/twilio/voice')));
  expect(answers.every((a) => a.status === 200 && a.body === 'ok')).toBe(true);
  expect(peak).toBe(4);
  expect(running).toBe(0);
});

it('a failing handler gives its turn back (500, as API Gateway would), and the line goes on', async () => {
  peak = 0;
  const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => post(i % 2 ? '/twilio/voice/fail' : '/twilio/voice')));
  expect(answers.map((a) => a.status).sort()).toEqual([...Array(6).fill(200), ...Array(6).fill(500)]);
  expect(peak).toBeLessThanOrEqual(4);
  expect((await post('/twilio/voice')).status).toBe(200);
});

it('defaults to as many at once as the SDK clients\' sockets serve without queueing (a few DynamoDB requests in flight per invocation)', () => {
  expect(LOCAL_CONCURRENCY * 3).toBeLessThanOrEqual(SOCKETS_PER_CLIENT);
});
