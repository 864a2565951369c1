// The outbound sender (DESIGN.md section 17): a queued text goes out through Twilio's Messages resource
// with a StatusCallback naming it; a refused one is logged and counted and never thrown; opted-out
// recipients are not texted, and opt-outs that cannot be read do not stop a send. And the webhooks' side:
// what they hand over is queued, never sent, and a queue that fails counts the texts as failed.
import { CarrierNotConfiguredError } from '../../lambdas/errors';
import { sendQueuedText, statusCallbackUrl } from '../../lambdas/carrier/outbound-sender';
import { OutboxTextSender, queuedTexts, type QueuedText } from '../../lambdas/carrier/queued-text';
import { parseQueuedText } from '../../lambdas/carrier/queued-text-schema';
import { sendTextsBestEffort, type SendReason } from '../../lambdas/carrier/text-sender';
import { capturingOutput, fakeCarrier, PUBLIC_URL } from '../support/carrier';

const counted = () => {
  const failures: Array<[number, SendReason]> = [];
  return { failures, metrics: { sendFailures: (n: number, reason: SendReason) => void failures.push([n, reason]) } };
};
const NOW = new Date('2026-12-01T10:00:00.000Z');
const queue = (tos: string[], reason: SendReason = 'voicemail_notify', media?: string[]) =>
  queuedTexts(tos.map((to) => ({ from: '+15550100001', to, body: 'New voicemail', ...(media && { media }) })), { reason, sid: 'CA1' }, NOW);

describe('the webhooks’ side: queued, never sent', () => {
  test('each text becomes one queued text with an id of its own, its reason, its cause and the time; it reads back as it was', async () => {
    const put: QueuedText[] = [];
    const sender = new OutboxTextSender({ put: async (texts) => void put.push(...texts) }, counted().metrics, () => NOW);
    expect(await sender.sendTexts([{ from: '+15550100001', to: '+15550200001', body: 'a', media: ['https://example.com/a.jpg'] }, { from: '+15550100001', to: '+15550200002', body: 'b' }], { reason: 'inbox_notify', sid: 'SM1' })).toEqual({ sent: 2, failed: 0 });
    expect(put).toEqual([
      { id: expect.stringMatching(/^txt_[0-9a-f]{32}$/), from: '+15550100001', to: '+15550200001', body: 'a', media: ['https://example.com/a.jpg'], reason: 'inbox_notify', cause: 'SM1', queuedAt: NOW.toISOString() },
      { id: expect.stringMatching(/^txt_[0-9a-f]{32}$/), from: '+15550100001', to: '+15550200002', body: 'b', reason: 'inbox_notify', cause: 'SM1', queuedAt: NOW.toISOString() },
    ]);
    expect(put[0].id).not.toBe(put[1].id);
    expect(put.map((t) => parseQueuedText(JSON.stringify(t)))).toEqual(put);
    expect(parseQueuedText(JSON.stringify({ ...put[0], reason: 'spam' }))).toBeUndefined();
    expect(parseQueuedText('{"id":')).toBeUndefined();
  });

  test('a queue that fails: the texts are logged and counted as failed sends (CarrierSendFailures), nothing thrown', async () => {
    const { failures, metrics } = counted();
    const sender = new OutboxTextSender({ put: () => Promise.reject(new Error('SQS is away')) }, metrics);
    const { result, lines } = await capturingOutput(() => sender.sendTexts([{ from: '+1', to: '+2', body: 'x' }], { reason: 'text_applet', sid: 'CA9' }));
    expect(result).toEqual({ sent: 0, failed: 1 });
    expect(failures).toEqual([[1, 'text_applet']]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'texts could not be queued; not sent', count: 1 }));
  });

  test('sendTextsBestEffort never throws: not when the texts cannot be worked out, not without a sender', async () => {
    const { lines } = await capturingOutput(async () => {
      await expect(sendTextsBestEffort(undefined, [{ from: '+1', to: '+2', body: 'x' }], { reason: 'text_applet' })).resolves.toBeUndefined();
      await expect(sendTextsBestEffort(undefined, () => Promise.reject(new Error('directory unreachable')), { reason: 'voicemail_notify' })).resolves.toBeUndefined();
    });
    expect(lines.map((l) => l.message)).toEqual(['texts not sent: no carrier link in this handler', 'preparing texts failed; nothing sent']);
  });
});

describe('the sender', () => {
  test('sends each queued text through Messages with a StatusCallback naming it; a refused one (21610) is logged and counted, the others go out', async () => {
    const { fake, client } = await fakeCarrier();
    try {
      fake.addNumber({ phoneNumber: '+15550100001' });
      fake.failSendsTo('+15550200002', 21610);
      const { failures, metrics } = counted();
      const texts = queue(['+15550200001', '+15550200002', '+15550200003'], 'voicemail_notify', ['https://example.com/a.jpg']);
      const { result: outcomes, lines } = await capturingOutput(() => Promise.all(texts.map((t) => sendQueuedText(t, { carrier: async () => client, publicUrl: () => PUBLIC_URL, metrics }))));
      expect(outcomes.map((o) => o.outcome)).toEqual(['sent', 'refused', 'sent']);
      expect(outcomes[1]).toMatchObject({ status: 400, code: 21610 });
      expect(failures).toEqual([[1, 'voicemail_notify']]);
      expect(fake.messages.map((m) => [m.to, m.media_urls])).toEqual([['+15550200001', ['https://example.com/a.jpg']], ['+15550200003', ['https://example.com/a.jpg']]]);
      const posted = fake.requests.filter((r) => r.path.endsWith('/Messages.json'));
      expect(posted.map((r) => r.form.StatusCallback)).toEqual(texts.map((t) => [statusCallbackUrl(PUBLIC_URL, t.id)]));
      expect(statusCallbackUrl(`${PUBLIC_URL}/`, texts[0].id)).toBe(`${PUBLIC_URL}/twilio/message-status?id=${texts[0].id}`);
      expect(lines).toContainEqual(expect.objectContaining({ message: 'a text could not be sent', code: 21610, to: '+*******0002' }));
    } finally {
      await fake.stop();
    }
  });

  test('by default a failure is the CarrierSendFailures metric, by reason (EMF)', async () => {
    const [text] = queue(['+15550200001'], 'transcript_notify');
    const { lines } = await capturingOutput(() => sendQueuedText(text, { carrier: () => Promise.reject(new CarrierNotConfiguredError('set TWILIO_ACCOUNT_SID')), publicUrl: () => PUBLIC_URL }));
    expect(lines).toContainEqual(expect.objectContaining({ CarrierSendFailures: 1, reason: 'transcript_notify' }));
  });

  test('a carrier link that is not configured fails each text (logged, counted), and throws nothing', async () => {
    const { failures, metrics } = counted();
    const texts = queue(['+15550200001', '+15550200002'], 'text_applet');
    const { result } = await capturingOutput(() => Promise.all(texts.map((t) => sendQueuedText(t, { carrier: () => Promise.reject(new CarrierNotConfiguredError('set TWILIO_ACCOUNT_SID')), publicUrl: () => PUBLIC_URL, metrics }))));
    expect(result.map((o) => o.outcome)).toEqual(['refused', 'refused']);
    expect(failures).toEqual([[1, 'text_applet'], [1, 'text_applet']]);
  });

  test('opt-outs that cannot be read do not stop the sends: the carrier refuses opted-out recipients itself, and that refusal is recorded', async () => {
    const { fake, client } = await fakeCarrier();
    try {
      fake.addNumber({ phoneNumber: '+15550100001' });
      fake.optOut('+15550100001', '+15550200002');
      const recorded: Array<[string, string, boolean, string]> = [];
      const optOuts = {
        optedOut: () => Promise.reject(new Error('DynamoDB is away')),
        setOptOut: async (number: string, recipient: string, optedOut: boolean, _at: Date, source: string) => void recorded.push([number, recipient, optedOut, source]),
      };
      const { metrics } = counted();
      const { result, lines } = await capturingOutput(() => Promise.all(queue(['+15550200001', '+15550200002']).map((t) => sendQueuedText(t, { carrier: async () => client, publicUrl: () => PUBLIC_URL, optOuts, metrics }))));
      expect(result.map((o) => o.outcome)).toEqual(['sent', 'refused']);
      expect(recorded).toEqual([['+15550100001', '+15550200002', true, 'carrier_21610']]);
      expect(lines).toContainEqual(expect.objectContaining({ message: 'opt-outs could not be read; sending, the carrier refuses opted-out recipients' }));
    } finally {
      await fake.stop();
    }
  });
});
