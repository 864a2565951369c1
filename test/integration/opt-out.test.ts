// Issue 19 item 4, DESIGN.md section 17: opt-out keywords through the signed sms webhook against DynamoDB
// Local. STOP is stored where the flow keeps texts, answered by nobody (the carrier answers it itself), and
// opts its sender out of the number texted: no reply, notification or text-back goes to them from it until
// START. A send the carrier refuses with 21610 records the opt-out too.
import type { SendAbout, TextSender } from '../../lambdas/carrier/text-sender';
import { sendQueuedText } from '../../lambdas/carrier/outbound-sender';
import { queuedTexts } from '../../lambdas/carrier/queued-text';
import type { OutboundText } from '../../lambdas/flows/outbound';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { replay } from '../../lambdas/spill/replay';
import { createStores } from '../../lambdas/store/stores';
import type { WebhookDeps } from '../../lambdas/webhooks/deps';
import { smsWebhook } from '../../lambdas/webhooks/sms';
import { fakeCarrier } from '../support/carrier';
import { createTestTables, type TestTables } from '../support/dynamo';
import { tempSpill, type TestSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const SENDER = '+15550409999';

let t: TestTables;
let stores: ReturnType<typeof createStores>;
let spilled: TestSpill;
let deps: WebhookDeps;
let sent: Array<{ text: OutboundText; about: SendAbout }>;
/** A carrier that only records what it is asked to send. */
const texts: TextSender = {
  sendTexts: async (list, about) => {
    sent.push(...list.map((text) => ({ text, about })));
    return { sent: list.length, failed: 0 };
  },
};
let ann: { id: string; phone: string };
let bob: { id: string; phone: string };
let sales: string;
let number: string;

let n = 0;
const sid = (prefix: string) => `${prefix}${String(++n).padStart(32, '0')}`;
let numbers = 0;
const newNumber = () => `+1555040${String(++numbers).padStart(4, '0')}`;

beforeAll(async () => {
  t = await createTestTables();
  stores = createStores(t.doc, t.names);
  spilled = tempSpill();
  deps = { ...stores, spill: spilled.spill, now: () => new Date('2026-12-01T15:00:00.000Z'), authToken: async () => TEST_AUTH_TOKEN, texts };
  ann = (await stores.directory.createUser({ name: 'Ann', phone: '+15550401001', available: true })) as { id: string; phone: string };
  bob = (await stores.directory.createUser({ name: 'Bob', phone: '+15550401002', available: true })) as { id: string; phone: string };
  sales = (await stores.directory.createGroup({ name: 'Sales', members: [ann.id, bob.id] })).id;
});
afterAll(() => {
  spilled.dispose();
  t.client.destroy();
  t.doc.destroy();
});
beforeEach(async () => {
  sent = [];
  // A number of its own for each test: opt-outs are per number.
  number = newNumber();
  const doc = {
    name: 'Auto-reply',
    sms: {
      start: 'r',
      applets: {
        r: { type: 'reply', text: 'Thanks, we will get back to you.', next: 'kw' },
        kw: { type: 'keyword', rules: [{ keywords: ['SALES'], next: 'box' }], otherwise: 'box' },
        box: { type: 'inbox', mailbox: { group: sales }, notify: true },
      },
    },
  };
  const flowId = `flw_optout_${numbers}`;
  await stores.flows.publish(flowId, flowDocumentSchema.parse(doc), undefined, new Date('2026-11-01T00:00:00Z'));
  await stores.numbers.register(number, undefined, flowId, new Date('2026-11-01T00:00:00Z'));
});

/** A signed text from `from` to the test's number: the TwiML answer and the Sid. */
async function text(body: string, from = SENDER): Promise<{ xml: string; messageSid: string }> {
  const messageSid = sid('SM');
  const res = await smsWebhook(deps)(signedTwilioEvent({ url: '/twilio/sms', params: { MessageSid: messageSid, From: from, To: number, Body: body, NumMedia: '0' } }));
  expect(res.statusCode).toBe(200);
  return { xml: res.body as string, messageSid };
}
const messages = (xml: string) => [...xml.matchAll(/<Message( to="([^"]+)")?>/g)].map((m) => m[2] ?? 'sender');
const inSales = async (id: string) => (await stores.messages.list(`group#${sales}`, 1000)).find((m) => m.id === id);

test('STOP is stored in the inbox, answered with no <Message> at all (no reply, no notification), and opts the sender out', async () => {
  const { xml, messageSid } = await text('Stop ');
  expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  expect(await inSales(messageSid)).toMatchObject({ from: SENDER, to: number, body: 'Stop ' });
  expect(sent).toEqual([]);
  expect(await stores.optOuts.optedOut(number, [SENDER, ann.phone])).toEqual(new Set([SENDER]));
});

test('a later text from the opted-out sender notifies the members but gets no reply; START opts back in', async () => {
  await text('STOP');
  const later = await text('actually, one question');
  expect(messages(later.xml)).toEqual([ann.phone, bob.phone]);
  expect(await inSales(later.messageSid)).toBeDefined();

  const start = await text('start');
  expect(messages(start.xml)).toEqual([]);
  expect(await stores.optOuts.optedOut(number, [SENDER])).toEqual(new Set());
  expect(messages((await text('hello again')).xml)).toEqual(['sender', ann.phone, bob.phone]);
});

test('opt-outs are per number: the sender still gets replies from another of our numbers', async () => {
  await text('STOP');
  const stopped = number;
  number = newNumber();
  await stores.numbers.register(number, undefined, `flw_optout_${numbers - 1}`, new Date('2026-11-01T00:00:00Z'));
  expect(messages((await text('hi')).xml)).toContain('sender');
  expect(await stores.optOuts.optedOut(stopped, [SENDER])).toEqual(new Set([SENDER]));
});

test('a member who texted STOP to the number gets no notification from it', async () => {
  await text('UNSUBSCRIBE', ann.phone);
  expect(messages((await text('hello')).xml)).toEqual(['sender', bob.phone]);
});

test('STOP to a number whose flow has no sms part is kept in unrouted and still opts the sender out (its call part may text them)', async () => {
  const flowId = `flw_optout_call_${numbers}`;
  const doc = { name: 'Calls only', call: { start: 't', applets: { t: { type: 'text', text: 'Sorry we missed you', next: 'bye' }, bye: { type: 'hangup' } } } };
  await stores.flows.publish(flowId, flowDocumentSchema.parse(doc), undefined, new Date('2026-11-01T00:00:00Z'));
  number = newNumber();
  await stores.numbers.register(number, undefined, flowId, new Date('2026-11-01T00:00:00Z'));
  const { xml, messageSid } = await text('end');
  expect(messages(xml)).toEqual([]);
  expect((await stores.messages.list('unrouted', 1000)).map((m) => m.id)).toContain(messageSid);
  expect(await stores.optOuts.optedOut(number, [SENDER])).toEqual(new Set([SENDER]));
});

test('HELP is stored and answered by nobody, and changes no opt-out', async () => {
  const { xml, messageSid } = await text('help');
  expect(messages(xml)).toEqual([]);
  expect(await inSales(messageSid)).toBeDefined();
  expect(messages((await text('hi')).xml)).toContain('sender');
});

test('an older STOP (routed late) never undoes a later START', async () => {
  await stores.optOuts.setOptOut(number, SENDER, false, new Date('2026-12-01T12:00:00Z'), 'keyword');
  await stores.optOuts.setOptOut(number, SENDER, true, new Date('2026-12-01T11:00:00Z'), 'keyword');
  expect(await stores.optOuts.optedOut(number, [SENDER])).toEqual(new Set());
});

test('a STOP kept during an outage and routed late opts the sender out as of its arrival, and sends nothing', async () => {
  const at = '2026-12-01T14:00:00.000Z';
  const item = { kind: 'text' as const, messageSid: sid('SM'), mailbox: 'unrouted' as const, from: SENDER, to: number, body: 'QUIT', receivedAt: at, routeAt: at };
  // Through replay(), as both drains and the webhooks call it: the stores give it the opt-outs.
  expect(await replay(item, { ...stores, texts })).toBe(true);
  expect(await inSales(item.messageSid)).toBeDefined();
  expect(sent).toEqual([]);
  expect(await stores.optOuts.optedOut(number, [SENDER])).toEqual(new Set([SENDER]));
});

describe('the carrier REST path (text applet, voicemail notices, overflow: the outbound sender)', () => {
  test('a send refused with 21610 records the opt-out; the next one is not even tried', async () => {
    const carrier = await fakeCarrier();
    try {
      carrier.fake.addNumber({ phoneNumber: number });
      carrier.fake.optOut(number, SENDER); // a STOP Switchboard never saw
      const senderDeps = { carrier: async () => carrier.client, publicUrl: () => undefined, optOuts: stores.optOuts, metrics: { sendFailures: () => undefined } };
      const textBack = { from: number, to: SENDER, body: 'Sorry we missed your call' };
      const queued = queuedTexts([textBack, { ...textBack, to: ann.phone }], { reason: 'text_applet' }, new Date());
      const outcomes = await Promise.all(queued.map((q) => sendQueuedText(q, senderDeps)));
      expect(outcomes.map((o) => o.outcome)).toEqual(['refused', 'sent']);
      expect(await stores.optOuts.optedOut(number, [SENDER, ann.phone])).toEqual(new Set([SENDER]));

      const tries = carrier.fake.requests.filter((r) => r.path.endsWith('/Messages.json')).length;
      const [again] = queuedTexts([textBack], { reason: 'text_applet' }, new Date());
      expect(await sendQueuedText(again, senderDeps)).toEqual({ outcome: 'opted_out' });
      expect(carrier.fake.requests.filter((r) => r.path.endsWith('/Messages.json'))).toHaveLength(tries);
    } finally {
      await carrier.fake.stop();
    }
  });

  test('the fake carrier opts a sender out on the STOP it delivers, and back in on START', async () => {
    const carrier = await fakeCarrier();
    try {
      carrier.fake.addNumber({ phoneNumber: number });
      expect(carrier.fake.receivedText(SENDER, number, ' stop')).toBe('opt_out');
      await expect(carrier.client.createMessage({ from: number, to: SENDER, body: 'hi' })).rejects.toMatchObject({ carrierCode: 21610 });
      expect(carrier.fake.receivedText(SENDER, number, 'Unstop')).toBe('opt_in');
      await expect(carrier.client.createMessage({ from: number, to: SENDER, body: 'hi' })).resolves.toMatchObject({ sid: expect.stringMatching(/^SM/) });
    } finally {
      await carrier.fake.stop();
    }
  });
});
