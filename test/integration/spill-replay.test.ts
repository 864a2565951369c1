// DESIGN.md section 11: a spilled item replays into the mailbox it was meant for, once, whatever the
// order and however often it is replayed; the drain Lambda reports exactly the items it could not write.
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { drainQueueBatch } from '../../lambdas/spill/drain-queue';
import { parseSpillItem } from '../../lambdas/spill/item-schema';
import { replay, type ReplayStores } from '../../lambdas/spill/replay';
import type { SpillItem } from '../../lambdas/spill/spill';
import type { MailboxKey } from '../../lambdas/store/message-store';
import { createStores } from '../../lambdas/store/stores';
import { createTestTables, type TestTables } from '../support/dynamo';

let t: TestTables;
let stores: ReturnType<typeof createStores>;

beforeAll(async () => {
  t = await createTestTables();
  stores = createStores(t.doc, t.names);
});
afterAll(() => t.client.destroy());

let n = 0;
const sid = (prefix: string) => `${prefix}${String(++n).padStart(32, '0')}`;
const voicemail = (recordingSid: string, mailbox: MailboxKey = 'user#usr_ann'): SpillItem => ({
  kind: 'voicemail', recordingSid, mailbox, callSid: sid('CA'), from: '+15550109999', to: '+15550100001',
  recordingUrl: `https://api.twilio.com/rec/${recordingSid}`, durationSeconds: 42, receivedAt: '2026-12-01T09:00:00.000Z',
});

describe('replay', () => {
  test('a voicemail lands in its mailbox once, however often it is replayed', async () => {
    const rec = sid('RE');
    expect(await replay(voicemail(rec, 'user#usr_once'), stores)).toBe(true);
    expect(await replay(voicemail(rec, 'user#usr_once'), stores)).toBe(false);
    expect(await stores.messages.list('user#usr_once')).toEqual([
      expect.objectContaining({ id: rec, kind: 'voicemail', from: '+15550109999', durationSeconds: 42, recordingUrl: `https://api.twilio.com/rec/${rec}` }),
    ]);
  });

  test('a transcript replayed before its voicemail ends up attached to it', async () => {
    const rec = sid('RE');
    await replay({ kind: 'transcript', recordingSid: rec, text: 'Call me back please' }, stores);
    expect(await stores.messages.list('user#usr_order')).toEqual([]);
    expect(await replay(voicemail(rec, 'user#usr_order'), stores)).toBe(true);
    await replay({ kind: 'transcript', recordingSid: rec, text: 'Call me back please' }, stores);
    expect(await stores.messages.list('user#usr_order')).toEqual([expect.objectContaining({ id: rec, transcript: 'Call me back please', from: '+15550109999' })]);
  });

  test('a transcript replayed after its voicemail is attached, and the voicemail is not stored again', async () => {
    const rec = sid('RE');
    await replay(voicemail(rec, 'group#grp_after'), stores);
    await replay({ kind: 'transcript', recordingSid: rec, text: 'hello' }, stores);
    expect(await replay(voicemail(rec, 'group#grp_after'), stores)).toBe(false);
    expect(await stores.messages.list('group#grp_after')).toEqual([expect.objectContaining({ id: rec, transcript: 'hello' })]);
  });

  test('a text lands in its mailbox once, with its media', async () => {
    const msg = sid('SM');
    const text: SpillItem = {
      kind: 'text', messageSid: msg, mailbox: 'group#grp_text', from: '+15550109999', to: '+15550100001', body: 'hi',
      media: [{ url: 'https://api.twilio.com/media/1', contentType: 'image/png' }], receivedAt: '2026-12-01T09:00:00.000Z',
    };
    expect(await replay(text, stores)).toBe(true);
    expect(await replay(text, stores)).toBe(false);
    expect(await stores.messages.list('group#grp_text')).toEqual([
      { id: msg, kind: 'sms', from: '+15550109999', to: '+15550100001', body: 'hi', media: [{ url: 'https://api.twilio.com/media/1', contentType: 'image/png' }], receivedAt: '2026-12-01T09:00:00.000Z' },
    ]);
  });

  test('an unrouted event is counted once for the report', async () => {
    const call = sid('CA');
    const event: SpillItem = { kind: 'unrouted', number: '+15550100077', sid: call, channel: 'call', at: '2026-12-01T09:00:00.000Z', reason: 'no_flow' };
    expect(await replay(event, stores)).toBe(true);
    expect(await replay(event, stores)).toBe(false);
    expect(await stores.state.unroutedSince('+15550100077', undefined)).toEqual([expect.objectContaining({ sid: call, channel: 'call', reason: 'no_flow' })]);
  });

  test('a replay of a text the webhook already stored changes nothing (the webhook’s mailbox wins)', async () => {
    const msg = sid('SM');
    await stores.messages.storeText('user#usr_first', { id: msg, from: '+15550109999', to: '+15550100001', body: 'first', receivedAt: '2026-12-01T09:00:00.000Z' });
    expect(await replay({ kind: 'text', messageSid: msg, mailbox: 'unrouted', from: '+15550109999', to: '+15550100001', body: 'first', receivedAt: '2026-12-01T09:00:05.000Z' }, stores)).toBe(false);
    expect((await stores.messages.list('unrouted')).map((m) => m.id)).not.toContain(msg);
  });
});

describe('reading items back', () => {
  test('every kind of item survives JSON', () => {
    const items: SpillItem[] = [
      voicemail(sid('RE')),
      { kind: 'transcript', recordingSid: sid('RE'), text: 'x' },
      { kind: 'text', messageSid: sid('SM'), mailbox: 'unrouted', from: '', to: '+15550100001', body: '', receivedAt: '2026-12-01T09:00:00.000Z' },
      { kind: 'unrouted', number: '+15550100001', sid: sid('SM'), channel: 'sms', at: '2026-12-01T09:00:00.000Z', reason: 'timeout' },
    ];
    for (const item of items) expect(parseSpillItem(JSON.stringify(item))).toEqual(item);
  });

  test.each([
    ['a half-written line', '{"kind":"text","messageSid":"SM1","mailb'],
    ['an unknown kind', '{"kind":"trace","sid":"CA1"}'],
    ['a voicemail for a mailbox that cannot exist', JSON.stringify({ ...voicemail('RE1'), mailbox: 'flows#x' })],
    ['a text without its Sid', JSON.stringify({ kind: 'text', mailbox: 'unrouted', from: '', to: '+1555', body: '', receivedAt: 'x' })],
  ])('refuses %s', (_what, json) => {
    expect(parseSpillItem(json)).toBeUndefined();
  });
});

describe('the drain Lambda’s batch', () => {
  const record = (body: string, messageId = sid('msg-')): SQSRecord => ({
    messageId, receiptHandle: `rh-${messageId}`, body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: '0', SenderId: 'x', ApproximateFirstReceiveTimestamp: '0' },
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:spill', awsRegion: 'us-east-1',
  });

  test('stores every item and fails only the message that is not a spill item', async () => {
    const rec = sid('RE');
    const msg = sid('SM');
    const bad = record('not json', 'bad-1');
    const event: SQSEvent = {
      Records: [
        record(JSON.stringify({ kind: 'transcript', recordingSid: rec, text: 'later' })),
        record(JSON.stringify(voicemail(rec, 'user#usr_batch'))),
        bad,
        record(JSON.stringify({ kind: 'text', messageSid: msg, mailbox: 'user#usr_batch', from: '+15550109999', to: '+15550100001', body: 'b', receivedAt: '2026-12-01T09:00:01.000Z' })),
      ],
    };
    expect(await drainQueueBatch(event, stores)).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    const box = await stores.messages.list('user#usr_batch');
    expect(box.map((m) => m.id).sort()).toEqual([msg, rec].sort());
    expect(box.find((m) => m.id === rec)?.transcript).toBe('later');
    // SQS redelivers a whole batch after a timeout: nothing is stored twice.
    expect(await drainQueueBatch(event, stores)).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad-1' }] });
    expect((await stores.messages.list('user#usr_batch')).length).toBe(2);
  });

  test('fails every item when DynamoDB does not answer, so SQS redelivers them', async () => {
    const down = createDynamoDb({ endpoint: 'http://127.0.0.1:9', maxAttempts: 1 });
    const broken: ReplayStores = createStores(down, t.names);
    const ids = ['m-1', 'm-2'];
    const event: SQSEvent = { Records: [record(JSON.stringify(voicemail(sid('RE'))), ids[0]), record(JSON.stringify({ kind: 'unrouted', number: '+15550100001', sid: sid('CA'), channel: 'call', at: '2026-12-01T09:00:00.000Z', reason: 'error' }), ids[1])] };
    expect(await drainQueueBatch(event, broken)).toEqual({ batchItemFailures: ids.map((itemIdentifier) => ({ itemIdentifier })) });
  });
});
