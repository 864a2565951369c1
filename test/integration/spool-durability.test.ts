// Issue 18, items 1 and 2 (DESIGN.md section 11: "a write is durable only when the whole item is on
// disk ... an item the store refuses for good is set aside, not retried forever"). A nearly full disk is
// simulated by a writeSync that writes what fits and says so (a short write, as Node does), then fails
// with ENOSPC; only the files of this test's spool directory are affected.
import fs from 'node:fs';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileSpill, SPOOL_FILE } from '../../lambdas/spill/file-spill';
import type { ReplayStores } from '../../lambdas/spill/replay';
import type { SpillItem } from '../../lambdas/spill/spill';
import { storeOrSpill } from '../../lambdas/spill/store-or-spill';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { createStores } from '../../lambdas/store/stores';
import { webhookDynamoClientConfig } from '../../lambdas/webhooks/deps';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { REJECTED_FILE, SpoolDrain } from '../../local/spool-drain';
import { capturingOutput } from '../support/carrier';
import { createTestTables, type TestTables } from '../support/dynamo';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response/>';

let t: TestTables;
let stores: ReturnType<typeof createStores>;
let dir: string;

beforeAll(async () => {
  t = await createTestTables();
  stores = createStores(t.doc, t.names);
});
afterAll(() => t.client.destroy());
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spool-durability-'));
});
afterEach(() => {
  jest.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
const text = (mailbox: 'unrouted' | `user#${string}`, body = 'hi'): SpillItem => ({
  kind: 'text', messageSid: `SM${String(++n).padStart(32, '0')}`, mailbox, from: '+15550109999', to: '+15550100001', body, receivedAt: new Date(Date.UTC(2026, 11, 1, 9, 0, n)).toISOString(),
});
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

/** The path an open descriptor refers to (Linux). */
const pathOf = (fd: number) => {
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return '';
  }
};

/**
 * The disk of `dir` has `room` bytes left: each write puts down what fits and returns that count (a short
 * write, no error), and once nothing fits it throws ENOSPC. `perWrite` caps every write (a disk with room
 * that still writes in pieces). Returns how many writes came short.
 */
function diskOf(room: number, perWrite = Infinity): { short: number } {
  const real = fs.writeSync.bind(fs);
  const seen = { short: 0 };
  jest.spyOn(fs, 'writeSync').mockImplementation(((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: unknown[]) => {
    if (!pathOf(fd).startsWith(fs.realpathSync(dir))) return (real as (...a: unknown[]) => number)(fd, data, ...rest);
    let bytes: Buffer;
    if (typeof data === 'string') bytes = Buffer.from(data, typeof rest[1] === 'string' ? (rest[1] as BufferEncoding) : 'utf8');
    else {
      const all = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      const offset = typeof rest[0] === 'number' ? rest[0] : 0;
      const length = typeof rest[1] === 'number' ? rest[1] : all.length - offset;
      bytes = all.subarray(offset, offset + length);
    }
    if (room <= 0) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    const fits = Math.min(bytes.length, room, perWrite);
    const written = real(fd, bytes, 0, fits);
    room -= written;
    if (written < bytes.length) seen.short++;
    return written;
  }) as typeof fs.writeSync);
  return seen;
}

describe('a nearly full disk (short writes)', () => {
  test('a put whose line does not fit fails, and leaves no part of it in the spool', async () => {
    const spill = new FileSpill(dir);
    const kept = text('unrouted', 'kept');
    await spill.put(kept);
    const disk = diskOf(40);
    await expect(spill.put(text('unrouted', 'a text the disk has no room for'))).rejects.toThrow(/short write/);
    expect(disk.short).toBe(1);
    jest.restoreAllMocks();
    // The spool is as it was: the earlier item whole, no half line.
    expect(readFileSync(path.join(dir, SPOOL_FILE), 'utf8')).toBe(`${JSON.stringify(kept)}\n`);
    // And the next put, once there is room, is a line of its own.
    const later = text('unrouted', 'later');
    await spill.put(later);
    expect(lines(path.join(dir, SPOOL_FILE)).map((l) => JSON.parse(l))).toEqual([kept, later]);
  });

  test('a put whose writes come in pieces is written whole (the rest is written, not dropped)', async () => {
    const spill = new FileSpill(dir);
    const item = text('unrouted', 'written in pieces of 7 bytes');
    const disk = diskOf(Infinity, 7);
    await spill.put(item);
    expect(disk.short).toBeGreaterThan(5);
    jest.restoreAllMocks();
    expect(lines(path.join(dir, SPOOL_FILE)).map((l) => JSON.parse(l))).toEqual([item]);
  });

  test('the webhook reports the text lost (log and ItemsLost), never "kept in the spill", and still answers <Response/>', async () => {
    const dead = createDynamoDb({ ...webhookDynamoClientConfig, endpoint: 'http://127.0.0.1:9' });
    const deps = { ...createStores(dead, t.names), spill: new FileSpill(dir), now: () => new Date('2026-12-01T10:00:00.000Z'), authToken: async () => TEST_AUTH_TOKEN };
    const messageSid = `SM${'f'.repeat(32)}`;
    diskOf(30);
    const { result: res, lines: out } = await capturingOutput(() =>
      smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: messageSid, From: '+15550109999', To: '+15550100031', Body: 'nearly full disk', NumMedia: '0' } })),
    );
    dead.destroy();
    jest.restoreAllMocks();
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(EMPTY);
    const messages = out.map((l) => l.message);
    expect(messages).not.toContain('store write failed; item kept in the spill');
    expect(out).toContainEqual(expect.objectContaining({ message: 'store write and spill both failed: item lost', key: `text#${messageSid}` }));
    expect(out).toContainEqual(expect.objectContaining({ ItemsLost: 1, kind: 'text' }));
    // Nothing half-written is left for the drain to mistake for the text.
    const spool = path.join(dir, SPOOL_FILE);
    expect(existsSync(spool) ? readFileSync(spool, 'utf8') : '').toBe('');
  });

  test('storeOrSpill says lost, not spilled, when the spill could write only part of the item', async () => {
    const spill = new FileSpill(dir);
    diskOf(10);
    const { result } = await capturingOutput(() => storeOrSpill(spill, text('unrouted'), () => Promise.reject(new Error('store down')), 1_000));
    expect(result).toBe('lost');
  });

  test('the drain never renames a temporary file it could not write whole over a batch: the batch keeps all 7 items', async () => {
    const spill = new FileSpill(dir);
    const items = Array.from({ length: 7 }, (_, i) => text('user#usr_rewrite', `item-${i}`));
    for (const item of items) await spill.put(item);
    // DynamoDB takes two items, then stops answering: the drain rewrites the batch with the other five,
    // on a disk with room for barely more than one of them.
    let calls = 0;
    const flaky: ReplayStores = {
      messages: {
        storeText: (...args: Parameters<typeof stores.messages.storeText>) =>
          ++calls <= 2 ? stores.messages.storeText(...args) : Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })),
        storeVoicemail: (v) => stores.messages.storeVoicemail(v),
        attachTranscript: (s, x) => stores.messages.attachTranscript(s, x),
      },
      state: stores.state,
    };
    const disk = diskOf(200);
    await expect(capturingOutput(() => new SpoolDrain(spill, flaky).drainNow())).rejects.toThrow(/short write/);
    expect(disk.short).toBe(1);
    jest.restoreAllMocks();
    const [batch] = spill.pendingBatches();
    expect(lines(batch).map((l) => JSON.parse(l))).toEqual(items);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // Once there is room and DynamoDB answers, all seven land, the two replayed already not twice.
    await capturingOutput(() => new SpoolDrain(spill, stores).drainNow());
    expect((await stores.messages.list('user#usr_rewrite')).map((m) => m.body).sort()).toEqual(items.map((i) => (i as { body: string }).body));
    expect(spill.isEmpty()).toBe(true);
  });
});

describe('an item DynamoDB refuses for good', () => {
  test('a too-large item is set aside in the rejected file (logged, counted) and the 20 behind it land', async () => {
    const spill = new FileSpill(dir);
    // 500 KB: DynamoDB refuses any item over 400 KB (ValidationException), however often it is tried.
    const huge = text('user#usr_jam', 'x'.repeat(500 * 1024));
    await spill.put(huge);
    const good = Array.from({ length: 20 }, (_, i) => text('user#usr_jam', `after-${i}`));
    for (const item of good) await spill.put(item);
    const { result, lines: out } = await capturingOutput(() => new SpoolDrain(spill, stores).drainNow());
    expect(result).toEqual({ replayed: 20, rejected: 1, remaining: 0 });
    expect((await stores.messages.list('user#usr_jam')).map((m) => m.body).sort()).toEqual(good.map((i) => (i as { body: string }).body).sort());
    expect(lines(path.join(dir, REJECTED_FILE)).map((l) => JSON.parse(l))).toEqual([huge]);
    expect(out).toContainEqual(expect.objectContaining({ message: 'DynamoDB refuses a spilled item for good; set aside', key: `text#${(huge as { messageSid: string }).messageSid}` }));
    expect(out).toContainEqual(expect.objectContaining({ ItemsRejected: 1, kind: 'text' }));
    expect(spill.isEmpty()).toBe(true);
  });

  test('an item that cannot be set aside (the disk is full) stays in its batch: nothing is dropped', async () => {
    const spill = new FileSpill(dir);
    const huge = text('user#usr_full', 'y'.repeat(450 * 1024));
    await spill.put(huge);
    diskOf(0);
    await expect(capturingOutput(() => new SpoolDrain(spill, stores).drainNow())).rejects.toThrow(/short write/);
    jest.restoreAllMocks();
    expect(lines(spill.pendingBatches()[0]).map((l) => JSON.parse(l))).toEqual([huge]);
    expect(existsSync(path.join(dir, REJECTED_FILE)) ? readFileSync(path.join(dir, REJECTED_FILE), 'utf8') : '').toBe('');
  });
});
