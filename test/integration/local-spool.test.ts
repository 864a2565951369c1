// Local mode's spill (DESIGN.md section 11): an fsynced append-only spool, drained into DynamoDB Local
// once it answers again; a crash at any point loses nothing and stores nothing twice.
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileSpill, SPOOL_FILE } from '../../lambdas/spill/file-spill';
import { replay } from '../../lambdas/spill/replay';
import type { SpillItem } from '../../lambdas/spill/spill';
import { createStores } from '../../lambdas/store/stores';
import { drainStores, REJECTED_FILE, SpoolDrain } from '../../local/spool-drain';
import { createTestTables, type TestTables } from '../support/dynamo';

let t: TestTables;
let stores: ReturnType<typeof createStores>;
let dir: string;

beforeAll(async () => {
  t = await createTestTables();
  stores = createStores(t.doc, t.names);
});
afterAll(() => t.client.destroy());
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'spool-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const text = (mailbox: 'unrouted' | `user#${string}`, body = 'hi'): SpillItem => ({
  kind: 'text', messageSid: `SM${String(++n).padStart(32, '0')}`, mailbox, from: '+15550109999', to: '+15550100001', body, receivedAt: new Date(Date.UTC(2026, 11, 1, 9, 0, n)).toISOString(),
});
const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);
/** DynamoDB that is not there: a port nobody listens on. */
const deadStores = () => drainStores('http://127.0.0.1:9', t.names);

test('a put is on disk, one JSON line per item, when it returns', async () => {
  const spill = new FileSpill(dir);
  const [a, b] = [text('unrouted'), text('user#usr_a')];
  await Promise.all([spill.put(a), spill.put(b)]);
  expect(lines(path.join(dir, SPOOL_FILE)).map((l) => JSON.parse(l))).toEqual([a, b]);
});

test('the drain replays the spool into its mailboxes and leaves the spool empty', async () => {
  const spill = new FileSpill(dir);
  const items = [text('user#usr_drain', 'one'), text('user#usr_drain', 'two')];
  for (const item of items) await spill.put(item);
  expect(await new SpoolDrain(spill, stores).drainNow()).toEqual({ replayed: 2, remaining: 0 });
  expect((await stores.messages.list('user#usr_drain')).map((m) => m.body).sort()).toEqual(['one', 'two']);
  expect(spill.isEmpty()).toBe(true);
  expect(readdirSync(dir)).toEqual([]);
});

test('while DynamoDB is away the items stay in the spool; once it answers they are stored, once', async () => {
  const spill = new FileSpill(dir);
  const items = [text('user#usr_outage', 'a'), text('user#usr_outage', 'b'), text('user#usr_outage', 'c')];
  for (const item of items) await spill.put(item);
  const dead = deadStores();
  expect(await new SpoolDrain(spill, dead).drainNow()).toEqual({ replayed: 0, remaining: 3 });
  dead.destroy();
  // More traffic arrives during the outage.
  const late = text('user#usr_outage', 'd');
  await spill.put(late);
  expect(spill.isEmpty()).toBe(false);
  expect(await new SpoolDrain(spill, stores).drainNow()).toEqual({ replayed: 4, remaining: 0 });
  expect((await stores.messages.list('user#usr_outage')).map((m) => m.body).sort()).toEqual(['a', 'b', 'c', 'd']);
});

test('a batch left behind by a crash after some replays is replayed again without storing anything twice', async () => {
  const spill = new FileSpill(dir);
  const items = [text('user#usr_crash', 'x'), text('user#usr_crash', 'y')];
  for (const item of items) await spill.put(item);
  // The crash: the batch was taken and its first item written, then the process died before deleting it.
  const batch = (await spill.takeBatch())!;
  expect(await replay(items[0], stores)).toBe(true);
  expect(existsSync(batch)).toBe(true);
  expect(await new SpoolDrain(new FileSpill(dir), stores).drainNow()).toEqual({ replayed: 2, remaining: 0 });
  expect((await stores.messages.list('user#usr_crash')).map((m) => m.body).sort()).toEqual(['x', 'y']);
  expect(existsSync(batch)).toBe(false);
});

test('a half-written last line (a crash mid-put) is set aside, and the items around it still land', async () => {
  const spill = new FileSpill(dir);
  const before = text('user#usr_half', 'before');
  await spill.put(before);
  appendFileSync(path.join(dir, SPOOL_FILE), '{"kind":"text","messageSid":"SM_cut');
  const after = text('user#usr_half', 'after');
  await spill.put(after);
  expect(await new SpoolDrain(spill, stores).drainNow()).toEqual({ replayed: 2, rejected: 1, remaining: 0 });
  expect((await stores.messages.list('user#usr_half')).map((m) => m.body).sort()).toEqual(['after', 'before']);
  expect(lines(path.join(dir, REJECTED_FILE))).toEqual(['{"kind":"text","messageSid":"SM_cut']);
});

test('puts that arrive while a drain runs are not lost', async () => {
  const spill = new FileSpill(dir);
  for (let i = 0; i < 20; i++) await spill.put(text('user#usr_race', `early-${i}`));
  const drain = new SpoolDrain(spill, stores);
  const during = Array.from({ length: 20 }, (_, i) => spill.put(text('user#usr_race', `during-${i}`)));
  await Promise.all([drain.drainNow(), ...during]);
  await drain.drainNow();
  expect((await stores.messages.list('user#usr_race')).length).toBe(40);
  expect(spill.isEmpty()).toBe(true);
});

test('batches left by an earlier run are found on start, oldest first', async () => {
  writeFileSync(path.join(dir, 'batch-2000-000000.jsonl'), `${JSON.stringify(text('user#usr_left', 'new'))}\n`);
  writeFileSync(path.join(dir, 'batch-1000-000000.jsonl'), `${JSON.stringify(text('user#usr_left', 'old'))}\n`);
  const spill = new FileSpill(dir);
  expect(spill.pendingBatches().map((f) => path.basename(f))).toEqual(['batch-1000-000000.jsonl', 'batch-2000-000000.jsonl']);
  expect(await new SpoolDrain(spill, stores).drainNow()).toEqual({ replayed: 2, remaining: 0 });
  expect((await stores.messages.list('user#usr_left')).map((m) => m.body).sort()).toEqual(['new', 'old']);
});
