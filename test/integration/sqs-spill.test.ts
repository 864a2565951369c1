// The AWS adapter of the spill, with the SDK's SQS client over real HTTP: what it sends (one message per
// item, its key as an attribute), and that an SQS endpoint that refuses or hangs fails the put promptly
// instead of holding the webhook past the carrier's patience (its own short timeouts).
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { parseSpillItem } from '../../lambdas/spill/item-schema';
import type { SpillItem } from '../../lambdas/spill/spill';
import { spillSqsClientConfig, sqsClient, SqsSpill } from '../../lambdas/spill/sqs-spill';

const ITEM: SpillItem = { kind: 'unrouted', number: '+15550100001', sid: `CA${'c'.repeat(32)}`, channel: 'call', at: '2026-12-01T10:00:00.000Z', reason: 'error' };
const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/spill';
const listen = (server: Server | TcpServer) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));
const client = (endpoint: string) => sqsClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

test('puts one SendMessage per item: the item as JSON, its Sid key as an attribute', async () => {
  const received: Array<{ target?: string; body: Record<string, any> }> = []; // eslint-disable-line @typescript-eslint/no-explicit-any -- the JSON the fake SQS received, read by path in the assertions
  // Answers as SQS's JSON protocol does, with the MD5 of the body the SDK checks.
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      received.push({ target: req.headers['x-amz-target'] as string, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(
        JSON.stringify({ MessageId: 'm-1', MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }),
      );
    });
  });
  const port = await listen(server);
  try {
    const sqs = client(`http://127.0.0.1:${port}`);
    await new SqsSpill(QUEUE_URL, sqs).put(ITEM);
    sqs.destroy();
  } finally {
    server.close();
  }
  expect(received).toHaveLength(1);
  expect(received[0].target).toBe('AmazonSQS.SendMessage');
  expect(received[0].body.QueueUrl).toBe(QUEUE_URL);
  expect(parseSpillItem(received[0].body.MessageBody)).toEqual(ITEM);
  expect(received[0].body.MessageAttributes).toEqual({ key: { DataType: 'String', StringValue: `unrouted#call#CA${'c'.repeat(32)}` } });
});

test('an SQS endpoint nobody listens on fails the put', async () => {
  const sqs = client('http://127.0.0.1:9');
  await expect(new SqsSpill(QUEUE_URL, sqs).put(ITEM)).rejects.toThrow();
  sqs.destroy();
});

test('an SQS endpoint that accepts the connection and never answers fails the put (request timeout), not hangs', async () => {
  const sockets: Socket[] = [];
  const server = createTcpServer((socket) => sockets.push(socket));
  const port = await listen(server);
  const sqs = client(`http://127.0.0.1:${port}`);
  try {
    await expect(new SqsSpill(QUEUE_URL, sqs).put(ITEM)).rejects.toThrow(/timeout|timed out/i);
    // One try and one retry: the webhook waits for two request timeouts at most.
    expect(sockets.length).toBe(spillSqsClientConfig.maxAttempts);
  } finally {
    sqs.destroy();
    for (const s of sockets) s.destroy();
    server.close();
  }
}, 10_000);

test('an answer whose MD5 is not the body\'s fails the put (the SDK checks it); so does a refusal, named', async () => {
  let answer: (body: Record<string, string>) => [number, unknown] = () => [200, { MessageId: 'm-1', MD5OfMessageBody: '0'.repeat(32) }];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const [status, body] = answer(JSON.parse(raw));
      res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify(body));
    });
  });
  const port = await listen(server);
  const sqs = client(`http://127.0.0.1:${port}`);
  try {
    await expect(new SqsSpill(QUEUE_URL, sqs).put(ITEM)).rejects.toThrow('InvalidChecksumError');
    answer = () => [400, { __type: 'com.amazonaws.sqs#QueueDoesNotExist', message: 'The specified queue does not exist.' }];
    await expect(new SqsSpill(QUEUE_URL, sqs).put(ITEM)).rejects.toMatchObject({ name: 'QueueDoesNotExist', message: 'The specified queue does not exist.' });
    answer = (body) => [200, { MessageId: 'm-2', MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }];
    await expect(new SqsSpill(QUEUE_URL, sqs).put(ITEM)).resolves.toBeUndefined();
  } finally {
    sqs.destroy();
    server.close();
  }
});
