// The admin API's DynamoDB client is bounded (issue 10): a store that accepts connections and never
// answers makes a request fail with a timeout after its attempts, instead of hanging the developer.
import { createServer, type Server, type Socket } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { adminApi } from '../../lambdas/admin/api';
import { ADMIN_DYNAMO_BUDGET_MS, adminDynamoClientConfig, createDynamoDb } from '../../lambdas/store/dynamo-client';
import { createStores } from '../../lambdas/store/stores';
import { localTableNames } from '../../lambdas/store/tables';
import { apiEvent } from '../support/admin';

describe('adminDynamoClientConfig', () => {
  it('sets a connection timeout, a request timeout that throws, and a bounded number of attempts', () => {
    expect(adminDynamoClientConfig).toEqual({ maxAttempts: 3, connectionTimeout: 1_000, requestTimeout: 3_000, socketWait: 1_000 });
    // Inside API Gateway's 30 s integration limit and the admin function's 29 s timeout.
    expect(ADMIN_DYNAMO_BUDGET_MS).toBeLessThan(29_000);
  });

  describe('against a hung endpoint (a loopback TCP server that accepts and never answers)', () => {
    let server: Server;
    const sockets: Socket[] = [];
    let endpoint: string;
    beforeAll(async () => {
      server = createServer((socket) => sockets.push(socket));
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
      endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    });
    afterAll(() => {
      for (const s of sockets) s.destroy();
      return new Promise<void>((r) => server.close(() => r()));
    });

    const hungClient = () =>
      createDynamoDb({ ...adminDynamoClientConfig, endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

    it('a request fails with a timeout after its attempts, within the budget; the admin API answers 503 in its error format', async () => {
      const direct = hungClient();
      const viaApi = hungClient();
      const admin = adminApi({ ...createStores(viaApi, localTableNames('hung')), now: () => new Date() }, { open: true });
      const started = Date.now();
      // Side by side, so the test waits one budget, not two.
      const [err, res] = await Promise.all([
        direct.send(new GetCommand({ TableName: 'flows', Key: { id: 'flw_1', rev: 0 } })).then(() => undefined, (e: Error) => e),
        admin(apiEvent('GET', '/api/flows')),
      ]);
      const elapsed = Date.now() - started;
      direct.destroy();
      viaApi.destroy();
      expect(err?.name).toBe('TimeoutError');
      expect(res.statusCode).toBe(503);
      expect(JSON.parse(res.body as string)).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
      // Each attempt of each request opened its own connection and gave up on it: the retries happened, and ended.
      expect(sockets.length).toBe(2 * adminDynamoClientConfig.maxAttempts);
      expect(elapsed).toBeLessThan(ADMIN_DYNAMO_BUDGET_MS);
    }, 30_000);
  });
});
