// Waiting for a socket is not a failed connection (issue 18, item 3). NodeHttpHandler starts its
// connection timer when it creates a request, before the agent gives it a socket: with the client's 50
// sockets busy, a request that only waited its turn failed as "did not establish a connection within
// 500 ms". Against a loopback endpoint that answers every request, slowly: a burst far larger than the
// pool must all succeed, through at most the pool's sockets.
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SOCKETS_PER_CLIENT, SocketTurns } from '../../lambdas/config/request-budget';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { webhookDynamoClientConfig } from '../../lambdas/webhooks/deps';

describe('a burst larger than the socket pool, against a store that answers every request in 120 ms', () => {
  const ANSWER_MS = 120;
  let server: Server;
  let endpoint: string;
  let open = 0;
  let peakOpen = 0;
  let answered = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    // Enough for a GetItem: the SDK reads an empty JSON object as "no item".
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => setTimeout(() => (answered++, res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}')), ANSWER_MS));
    });
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      peakOpen = Math.max(peakOpen, ++open);
      socket.on('close', () => (open--, sockets.delete(socket)));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('the webhooks\' client: every request of 6 pools\' worth succeeds (queueing is no connection timeout), over at most the pool\'s sockets', async () => {
    const doc = createDynamoDb({ ...webhookDynamoClientConfig, endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const burst = SOCKETS_PER_CLIENT * 6;
    // The last of them waits 5 turns (about 600 ms): past the 500 ms connection timeout, within socketWait.
    const results = await Promise.allSettled(
      Array.from({ length: burst }, (_, i) => doc.send(new GetCommand({ TableName: 't', Key: { pk: `k${i}`, sk: '-' } }))),
    );
    doc.destroy();
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => String(r.reason?.message ?? r.reason));
    expect(failures).toEqual([]);
    expect(answered).toBeGreaterThanOrEqual(burst);
    // Kept-alive sockets, never more than the pool: the queue stays in the client, not in the store's server.
    expect(peakOpen).toBeLessThanOrEqual(SOCKETS_PER_CLIENT);
  }, 60_000);
});

describe('SocketTurns', () => {
  it('grants turns first come, first served, and passes a returned turn straight to the next in line', async () => {
    const turns = new SocketTurns(2);
    const order: number[] = [];
    const first = await turns.take(1_000);
    const second = await turns.take(1_000);
    const waiting = [3, 4, 5].map((n) => turns.take(1_000).then((giveBack) => (order.push(n), giveBack)));
    expect(turns.state).toEqual({ busy: 2, waiting: 3 });
    first();
    first(); // a second give-back of the same turn changes nothing
    const third = await waiting[0];
    expect(turns.state).toEqual({ busy: 2, waiting: 2 });
    second();
    third();
    const [fourth, fifth] = await Promise.all(waiting.slice(1));
    fourth();
    fifth();
    expect(order).toEqual([3, 4, 5]);
    expect(turns.state).toEqual({ busy: 0, waiting: 0 });
  });

  it('a wait past its bound fails as a timeout (which the SDK retries), and leaves the line', async () => {
    const turns = new SocketTurns(1);
    const held = await turns.take(10);
    await expect(turns.take(20)).rejects.toMatchObject({ name: 'TimeoutError', message: expect.stringContaining('no free socket') });
    expect(turns.state).toEqual({ busy: 1, waiting: 0 });
    held();
    expect(turns.state).toEqual({ busy: 0, waiting: 0 });
  });

  it('an aborted request leaves the line', async () => {
    const turns = new SocketTurns(1);
    const held = await turns.take(undefined);
    const abort = new AbortController();
    const waiting = turns.take(undefined, abort.signal);
    abort.abort(new Error('caller gave up'));
    await expect(waiting).rejects.toThrow('caller gave up');
    expect(turns.state).toEqual({ busy: 1, waiting: 0 });
    held();
  });
});
