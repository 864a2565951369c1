// Delivery receipts (DESIGN.md section 17) against DynamoDB Local: every outbound text's record, written
// queued by the sender and moved along by Twilio's signed status callbacks (POST /twilio/message-status),
// only ever forward; listed by GET /api/carrier/messages; a text that did not arrive counted once.
import { sendQueuedText, statusCallbackUrl, type OutboundSenderDeps } from '../../lambdas/carrier/outbound-sender';
import { parseSpillItem } from '../../lambdas/spill/item-schema';
import { replay } from '../../lambdas/spill/replay';
import { createDynamoDb } from '../../lambdas/store/dynamo-client';
import { DynamoOutboundStore } from '../../lambdas/store/outbound-store';
import { webhookDynamoClientConfig } from '../../lambdas/webhooks/deps';
import { queuedTexts, type QueuedText } from '../../lambdas/carrier/queued-text';
import type { WebhookDeps } from '../../lambdas/webhooks/deps';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { adminHarness, type AdminHarness } from '../support/admin';
import { capturingOutput, fakeCarrier, PUBLIC_URL } from '../support/carrier';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const FROM = '+15550700001';
let h: AdminHarness;
let spilled: TestSpill;
let deps: WebhookDeps;
let carrier: Awaited<ReturnType<typeof fakeCarrier>>;
let sender: OutboundSenderDeps;
let clock = Date.parse('2026-12-01T10:00:00.000Z');
const now = () => new Date(clock);

beforeAll(async () => {
  h = await adminHarness(now);
  spilled = tempSpill();
  deps = { ...h.deps, spill: spilled.spill, now, authToken: async () => TEST_AUTH_TOKEN };
  carrier = await fakeCarrier();
  carrier.fake.addNumber({ phoneNumber: FROM });
  sender = { carrier: async () => carrier.client, publicUrl: () => PUBLIC_URL, optOuts: h.deps.optOuts, records: h.deps.outbound, metrics: { sendFailures: () => undefined }, now };
});
afterAll(async () => {
  await carrier.fake.stop();
  spilled.dispose();
  h.tables.client.destroy();
  h.tables.doc.destroy();
});

let n = 0;
const queue = (to: string, reason: QueuedText['reason'] = 'voicemail_notify'): QueuedText => {
  clock += 1000;
  return queuedTexts([{ from: FROM, to, body: `Notice ${++n}` }], { reason, sid: `CA${String(n).padStart(32, '0')}` }, now())[0];
};
const record = async (id: string) => (await h.api('GET', '/api/carrier/messages?limit=200')).body.messages.find((m: { id: string }) => m.id === id);

/** Twilio's status callback for `text`, signed as Twilio signs it: over the StatusCallback URL and every parameter. */
function statusCallback(text: QueuedText, sid: string, status: string, extra: Record<string, string> = {}, token = TEST_AUTH_TOKEN) {
  return smsWebhook(deps)(
    signedTwilioEvent({
      url: statusCallbackUrl(PUBLIC_URL, text.id),
      params: { MessageSid: sid, SmsSid: sid, MessageStatus: status, SmsStatus: status, AccountSid: carrier.fake.accountSid, From: text.from, To: text.to, ApiVersion: '2010-04-01', ...extra },
      authToken: token,
    }),
  );
}

describe('the sender’s records', () => {
  test('a text Twilio took is recorded queued with its Sid, with what it was and why', async () => {
    const text = queue('+15550800001', 'text_applet');
    const sent = await sendQueuedText(text, sender);
    expect(sent).toMatchObject({ outcome: 'sent' });
    expect(await record(text.id)).toEqual({
      id: text.id, sid: (sent as { sid: string }).sid, from: FROM, to: '+15550800001', body: text.body, reason: 'text_applet', cause: text.cause,
      status: 'queued', errorCode: null, errorMessage: null, queuedAt: text.queuedAt, updatedAt: expect.any(String),
    });
  });

  test('a text Twilio refuses is failed with Twilio’s code and words, at once', async () => {
    carrier.fake.failSendsTo('+15550800002', 21211);
    const text = queue('+15550800002');
    const { lines } = await capturingOutput(() => sendQueuedText(text, sender));
    expect(await record(text.id)).toMatchObject({ sid: null, status: 'failed', errorCode: 21211, errorMessage: expect.stringMatching(/not a valid phone number/) });
    expect(lines).toContainEqual(expect.objectContaining({ TextsNotDelivered: 1, status: 'failed' }));
  });

  test('a recipient who opted out is not texted: failed with 21610, and not counted as a failure to alarm on', async () => {
    await h.deps.optOuts.setOptOut(FROM, '+15550800003', true, now(), 'keyword');
    const text = queue('+15550800003');
    const { result, lines } = await capturingOutput(() => sendQueuedText(text, sender));
    expect(result).toEqual({ outcome: 'opted_out' });
    expect(await record(text.id)).toMatchObject({ status: 'failed', errorCode: 21610, errorMessage: expect.stringMatching(/opted out/) });
    expect(lines.filter((l) => 'TextsNotDelivered' in l)).toEqual([]);
  });

  test('the queue delivering a text again does not send it again', async () => {
    const text = queue('+15550800004');
    await sendQueuedText(text, sender);
    const before = carrier.fake.messages.length;
    const { result } = await capturingOutput(() => sendQueuedText(text, sender));
    expect(result).toMatchObject({ outcome: 'duplicate', record: { id: text.id, status: 'queued', sid: expect.stringMatching(/^SM/) } });
    expect(carrier.fake.messages).toHaveLength(before);
  });
});

describe('POST /twilio/message-status', () => {
  async function sentText(to: string) {
    const text = queue(to);
    const sent = (await sendQueuedText(text, sender)) as { sid: string };
    return { text, sid: sent.sid };
  }

  test('sent, then delivered: the record follows; a late `sent` after `delivered` changes nothing', async () => {
    const { text, sid } = await sentText('+15550800010');
    expect((await statusCallback(text, sid, 'sent')).statusCode).toBe(200);
    expect(await record(text.id)).toMatchObject({ status: 'sent', sid });
    await statusCallback(text, sid, 'delivered');
    const delivered = await record(text.id);
    expect(delivered).toMatchObject({ status: 'delivered' });
    clock += 60_000;
    const late = await statusCallback(text, sid, 'sent');
    expect({ status: late.statusCode, body: late.body }).toEqual({ status: 200, body: '<?xml version="1.0" encoding="UTF-8"?><Response/>' });
    expect(await record(text.id)).toEqual(delivered);
  });

  test('undelivered with ErrorCode 30006 (a landline): recorded with the code and its words, counted once however often Twilio posts it', async () => {
    const { text, sid } = await sentText('+15550800011');
    await statusCallback(text, sid, 'sent');
    const first = await capturingOutput(() => statusCallback(text, sid, 'undelivered', { ErrorCode: '30006' }));
    expect(await record(text.id)).toMatchObject({ status: 'undelivered', errorCode: 30006, errorMessage: expect.stringMatching(/landline/) });
    const again = await capturingOutput(() => statusCallback(text, sid, 'undelivered', { ErrorCode: '30006' }));
    const counted = (lines: Array<Record<string, unknown>>) => lines.filter((l) => l.TextsNotDelivered === 1 && l.status === 'undelivered').length;
    expect([counted(first.lines), counted(again.lines)]).toEqual([1, 0]);
    expect(first.lines).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'a text was not delivered', errorCode: 30006, reason: 'voicemail_notify' }));
    expect(first.text).not.toContain('+15550800011');
  });

  test('a callback signed with another token is refused (403) and changes nothing; one without MessageStatus is a 400', async () => {
    const { text, sid } = await sentText('+15550800012');
    expect((await statusCallback(text, sid, 'delivered', {}, 'not-the-token')).statusCode).toBe(403);
    expect(await record(text.id)).toMatchObject({ status: 'queued' });
    const unsigned = signedTwilioEvent({ url: statusCallbackUrl(PUBLIC_URL, text.id), params: { MessageSid: sid, From: FROM, To: text.to } });
    expect((await smsWebhook(deps)(unsigned)).statusCode).toBe(400);
  });

  test('a callback for an id we never recorded makes up no record, and is answered 200', async () => {
    const ghost = { ...queue('+15550800013'), id: `txt_${'f'.repeat(32)}` };
    expect((await statusCallback(ghost, `SM${'e'.repeat(32)}`, 'delivered')).statusCode).toBe(200);
    expect(await record(ghost.id)).toBeUndefined();
  });

  test('with DynamoDB down, the status goes to the spill (Twilio does not retry); replayed, it moves the record, once', async () => {
    const { text, sid } = await sentText('+15550800015');
    const dead = createDynamoDb({ ...webhookDynamoClientConfig, endpoint: 'http://127.0.0.1:9' });
    const before = spilled.items().length;
    try {
      const down = { ...deps, outbound: new DynamoOutboundStore(dead, h.tables.names.outbound) };
      const res = await capturingOutput(() =>
        smsWebhook(down)(signedTwilioEvent({ url: statusCallbackUrl(PUBLIC_URL, text.id), params: { MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: '30003', From: text.from, To: text.to } })),
      );
      expect(res.result.statusCode).toBe(200);
    } finally {
      dead.destroy();
    }
    const kept = spilled.items().slice(before);
    expect(kept).toEqual([{ kind: 'delivery', id: text.id, status: 'undelivered', messageSid: sid, errorCode: 30003, at: now().toISOString() }]);
    expect(parseSpillItem(JSON.stringify(kept[0]))).toEqual(kept[0]);
    expect(await record(text.id)).toMatchObject({ status: 'queued' });
    const drain = { messages: h.deps.messages, state: h.deps.state, outbound: h.deps.outbound };
    const first = await capturingOutput(() => replay(kept[0], drain));
    const again = await capturingOutput(() => replay(kept[0], drain));
    expect([first.result, again.result]).toEqual([true, false]);
    expect(await record(text.id)).toMatchObject({ status: 'undelivered', errorCode: 30003, errorMessage: expect.stringMatching(/unreachable/) });
    expect([first, again].map(({ lines }) => lines.filter((l) => l.TextsNotDelivered === 1).length)).toEqual([1, 0]);
    // A drain without the Outbound table keeps the item for one that has it.
    await expect(replay(kept[0], { messages: h.deps.messages, state: h.deps.state })).rejects.toThrow(/no outbound store/);
  });

  test('an id that is not one of ours is neither written nor spilled', async () => {
    const before = spilled.items().length;
    const res = await smsWebhook(deps)(signedTwilioEvent({ url: `${PUBLIC_URL}/twilio/message-status?id=not-ours`, params: { MessageSid: `SM${'d'.repeat(32)}`, MessageStatus: 'delivered' } }));
    expect(res.statusCode).toBe(200);
    expect(spilled.items().slice(before)).toEqual([]);
  });

  test('a status callback is no incoming text: nothing lands in a mailbox or `unrouted`', async () => {
    const { text, sid } = await sentText('+15550800014');
    const before = spilled.items().length;
    await statusCallback(text, sid, 'delivered');
    expect((await h.api('GET', '/api/mailboxes/unrouted/messages')).body.messages).toEqual([]);
    expect(spilled.items().slice(before)).toEqual([]);
  });
});

describe('GET /api/carrier/messages', () => {
  test('newest first; ?status= lists one status; pages follow nextCursor to the end, none skipped or repeated', async () => {
    const all = (await h.api('GET', '/api/carrier/messages?limit=200')).body.messages as Array<{ queuedAt: string; status: string; id: string }>;
    expect(all.length).toBeGreaterThanOrEqual(8);
    expect(all.map((m) => m.queuedAt)).toEqual([...all.map((m) => m.queuedAt)].sort().reverse());
    const failed = (await h.api('GET', '/api/carrier/messages?status=failed')).body.messages;
    expect(failed.length).toBeGreaterThanOrEqual(2);
    expect(failed.every((m: { status: string }) => m.status === 'failed')).toBe(true);
    expect((await h.api('GET', '/api/carrier/messages?status=undelivered')).body.messages.map((m: { errorCode: number }) => m.errorCode).sort()).toEqual([30003, 30006]);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await h.api('GET', `/api/carrier/messages?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.messages.length).toBeLessThanOrEqual(3);
      seen.push(...page.body.messages.map((m: { id: string }) => m.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((m) => m.id));
  });

  test('bad input is a 400 naming each field, and reads nothing', async () => {
    const bad = await h.api('GET', '/api/carrier/messages?status=lost&limit=0');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ code: 'validation', details: [{ path: 'status' }, { path: 'limit' }] });
    expect((await h.api('GET', '/api/carrier/messages?limit=201')).body.error.details).toEqual([{ path: 'limit', message: 'must be a whole number from 1 to 200' }]);
    expect((await h.api('GET', '/api/carrier/messages?cursor=bm90LWEtY3Vyc29y')).body.error.details).toEqual([expect.objectContaining({ path: 'cursor' })]);
    // A cursor of one list is refused by another.
    const page = await h.api('GET', '/api/carrier/messages?limit=1');
    expect((await h.api('GET', `/api/carrier/messages?status=failed&cursor=${page.body.nextCursor}`)).status).toBe(400);
  });
});
