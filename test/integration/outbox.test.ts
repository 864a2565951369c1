// The outbound queue's adapters and its two senders (DESIGN.md section 17): SQS in AWS (one SendMessage
// per text, its key as an attribute), the file spool locally, drained in-process by the local server's
// sender into the project's Twilio-compatible server; the Lambda's batch names only the texts to try again.
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import { statusCallbackUrl, type OutboundSenderDeps } from '../../lambdas/carrier/outbound-sender';
import { queuedTexts, type QueuedText } from '../../lambdas/carrier/queued-text';
import { parseQueuedText } from '../../lambdas/carrier/queued-text-schema';
import { FileOutbox } from '../../lambdas/outbox/file-outbox';
import { outboxFromEnv } from '../../lambdas/outbox/outbox-from-env';
import { sendQueueBatch } from '../../lambdas/outbox/send-batch';
import { SqsOutbox } from '../../lambdas/outbox/sqs-outbox';
import { sqsClient } from '../../lambdas/spill/sqs-spill';
import { SPOOL_FILE } from '../../lambdas/spill/file-spill';
import { OutboxSender } from '../../local/outbox-sender';
import { REJECTED_FILE } from '../../local/spool-drain';
import { capturingOutput, fakeCarrier, PUBLIC_URL } from '../support/carrier';

const QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/outbound';
const NOW = new Date('2026-12-01T10:00:00.000Z');
const FROM = '+15550100001';
const texts = (...tos: string[]): QueuedText[] => queuedTexts(tos.map((to) => ({ from: FROM, to, body: `Hello ${to}` })), { reason: 'text_applet', sid: 'CA1' }, NOW);
const listen = (server: Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'outbox-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('SQS: one SendMessage per text, the text as JSON, its key as an attribute', async () => {
  const received: Array<{ target?: string; body: { QueueUrl: string; MessageBody: string; MessageAttributes: unknown } }> = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw);
      received.push({ target: req.headers['x-amz-target'] as string, body });
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end(JSON.stringify({ MessageId: `m-${received.length}`, MD5OfMessageBody: createHash('md5').update(body.MessageBody).digest('hex') }));
    });
  });
  const port = await listen(server);
  const sqs = sqsClient({ endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const two = texts('+15550200001', '+15550200002');
  try {
    await new SqsOutbox(QUEUE_URL, sqs).put(two);
  } finally {
    sqs.destroy();
    server.close();
  }
  expect(received.map((r) => r.target)).toEqual(['AmazonSQS.SendMessage', 'AmazonSQS.SendMessage']);
  expect(received.map((r) => r.body.QueueUrl)).toEqual([QUEUE_URL, QUEUE_URL]);
  expect(received.map((r) => parseQueuedText(r.body.MessageBody)).sort((a, b) => a!.to.localeCompare(b!.to))).toEqual(two);
  expect(received.map((r) => r.body.MessageAttributes)).toContainEqual({ key: { DataType: 'String', StringValue: `text#${two[0].id}` } });
});

test('the queue a function uses comes from its environment, and a function without one fails at once', () => {
  expect(outboxFromEnv({ OUTBOX_QUEUE_URL: QUEUE_URL })).toBeInstanceOf(SqsOutbox);
  expect(outboxFromEnv({ OUTBOX_SPOOL_DIR: dir })).toBeInstanceOf(FileOutbox);
  expect(() => outboxFromEnv({})).toThrow(/OUTBOX_QUEUE_URL \(AWS\) or OUTBOX_SPOOL_DIR \(local mode\)/);
});

describe('the local sender', () => {
  test('sends what the outbox holds, each with its StatusCallback, and empties it', async () => {
    const { fake, client } = await fakeCarrier();
    try {
      fake.addNumber({ phoneNumber: FROM });
      const outbox = new FileOutbox(dir);
      const queued = texts('+15550200001', '+15550200002');
      await outbox.put(queued);
      expect(readFileSync(path.join(dir, SPOOL_FILE), 'utf8').split('\n').filter(Boolean)).toHaveLength(2);
      const sender = new OutboxSender(outbox, { carrier: async () => client, publicUrl: () => PUBLIC_URL });
      expect(await sender.drainNow()).toEqual({ replayed: 2, remaining: 0 });
      expect(sender.pending()).toBe(false);
      expect(fake.messages.map((m) => [m.from, m.to, m.body])).toEqual(queued.map((q) => [FROM, q.to, q.body]));
      expect(fake.requests.filter((r) => r.path.endsWith('/Messages.json')).map((r) => r.form.StatusCallback)).toEqual(queued.map((q) => [statusCallbackUrl(PUBLIC_URL, q.id)]));
    } finally {
      await fake.stop();
    }
  });

  test('a carrier that cannot be reached keeps every text queued; they go out, once each, when it answers', async () => {
    const { fake, client } = await fakeCarrier();
    fake.addNumber({ phoneNumber: FROM });
    await fake.stop();
    const outbox = new FileOutbox(dir);
    await outbox.put(texts('+15550200001', '+15550200002', '+15550200003'));
    let api: OutboundSenderDeps['carrier'] = async () => client;
    const sender = new OutboxSender(outbox, { carrier: () => api(), publicUrl: () => PUBLIC_URL });
    const { result, lines } = await capturingOutput(() => sender.drainNow());
    expect(result).toEqual({ replayed: 0, remaining: 3 });
    expect(lines).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'the carrier does not take texts yet; the outbox waits', remaining: 3 }));

    const back = await fakeCarrier();
    try {
      back.fake.addNumber({ phoneNumber: FROM });
      api = async () => back.client;
      expect(await sender.drainNow()).toEqual({ replayed: 3, remaining: 0 });
      expect(back.fake.messages.map((m) => m.to)).toEqual(['+15550200001', '+15550200002', '+15550200003']);
      expect(await sender.drainNow()).toEqual({ replayed: 0, remaining: 0 });
      expect(back.fake.messages).toHaveLength(3);
    } finally {
      await back.fake.stop();
    }
  });

  test('a line that is not a queued text is set aside in the rejected file; the texts around it go out', async () => {
    const { fake, client } = await fakeCarrier();
    try {
      fake.addNumber({ phoneNumber: FROM });
      const outbox = new FileOutbox(dir);
      const [a, b] = texts('+15550200001', '+15550200002');
      await outbox.put([a]);
      appendFileSync(path.join(dir, SPOOL_FILE), '{"id":"txt_half-writ\n');
      await outbox.put([b]);
      const sender = new OutboxSender(outbox, { carrier: async () => client, publicUrl: () => PUBLIC_URL });
      const { result } = await capturingOutput(() => sender.drainNow());
      expect(result).toEqual({ replayed: 2, rejected: 1, remaining: 0 });
      expect(readFileSync(path.join(dir, REJECTED_FILE), 'utf8')).toBe('{"id":"txt_half-writ\n');
      expect(fake.messages.map((m) => m.to)).toEqual([a.to, b.to]);
    } finally {
      await fake.stop();
    }
  });
});

describe('the sender Lambda’s batch', () => {
  const sqsEvent = (bodies: string[]): SQSEvent => ({
    Records: bodies.map((body, i) => ({
      messageId: `msg-${i}`, receiptHandle: `rh-${i}`, body,
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
      messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:outbound', awsRegion: 'us-east-1',
    })),
  });

  test('names only the texts to try again: one that is no queued text, and one Twilio did not take (429); the sent and the refused are done', async () => {
    const { fake, client } = await fakeCarrier();
    try {
      fake.addNumber({ phoneNumber: FROM });
      fake.failSendsTo('+15550200003', 21211);
      const [sent, limited, refused] = texts('+15550200001', '+15550200002', '+15550200003');
      // The rate-limited one goes first, alone, so the 429s reach it (the library's retries included).
      const deps = { carrier: async () => client, publicUrl: () => PUBLIC_URL, metrics: { sendFailures: () => undefined } };
      fake.answerNextWith(429, 429, 429, 429);
      const first = await capturingOutput(() => sendQueueBatch(sqsEvent([JSON.stringify(limited)]), deps));
      expect(first.result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-0' }] });
      const { result } = await capturingOutput(() => sendQueueBatch(sqsEvent([JSON.stringify(sent), 'not a text', JSON.stringify(refused)]), deps));
      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'msg-1' }] });
      expect(fake.messages.map((m) => m.to)).toEqual([sent.to]);
    } finally {
      await fake.stop();
    }
  });
});
