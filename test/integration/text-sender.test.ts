// Sending best effort (DESIGN.md section 13): failures are logged and counted, never thrown.
import { CarrierNotConfiguredError } from '../../lambdas/errors';
import { CarrierTextSender, sendTextsBestEffort, type SendReason } from '../../lambdas/carrier/text-sender';
import { capturingOutput, fakeCarrier } from '../support/carrier';

const counted = () => {
  const failures: Array<[number, SendReason]> = [];
  return { failures, metrics: { sendFailures: (n: number, reason: SendReason) => void failures.push([n, reason]) } };
};

test('sends each text through Messages; a refused one (21610) is logged and counted, the others go out', async () => {
  const { fake, client } = await fakeCarrier();
  try {
    fake.addNumber({ phoneNumber: '+15550100001' });
    fake.failSendsTo('+15550200002', 21610);
    const { failures, metrics } = counted();
    const { result: summary, lines } = await capturingOutput(() =>
      new CarrierTextSender(async () => client, metrics).sendTexts(
        ['+15550200001', '+15550200002', '+15550200003'].map((to) => ({ from: '+15550100001', to, body: 'New voicemail' })),
        { reason: 'voicemail_notify', sid: 'CA1' },
      ),
    );
    expect(summary).toEqual({ sent: 2, failed: 1 });
    expect(failures).toEqual([[1, 'voicemail_notify']]);
    expect(fake.messages.map((m) => m.to)).toEqual(['+15550200001', '+15550200003']);
    expect(lines).toEqual([expect.objectContaining({ message: 'a text could not be sent', code: 21610, to: '+*******0002' })]);
  } finally {
    await fake.stop();
  }
});

test('by default a failure is the CarrierSendFailures metric, by reason (EMF)', async () => {
  const sender = new CarrierTextSender(() => Promise.reject(new CarrierNotConfiguredError('set TWILIO_ACCOUNT_SID')));
  const { lines } = await capturingOutput(() => sender.sendTexts([{ from: '+15550100001', to: '+15550200001', body: 'x' }], { reason: 'transcript_notify' }));
  expect(lines).toContainEqual(expect.objectContaining({ CarrierSendFailures: 1, reason: 'transcript_notify' }));
});

test('a carrier link that is not configured counts every text as failed, and throws nothing', async () => {
  const { failures, metrics } = counted();
  const sender = new CarrierTextSender(() => Promise.reject(new CarrierNotConfiguredError('set TWILIO_ACCOUNT_SID')), metrics);
  const { result: summary } = await capturingOutput(() =>
    sender.sendTexts([{ from: '+15550100001', to: '+15550200001', body: 'x' }, { from: '+15550100001', to: '+15550200002', body: 'y' }], { reason: 'text_applet' }),
  );
  expect(summary).toEqual({ sent: 0, failed: 2 });
  expect(failures).toEqual([[2, 'text_applet']]);
});

test('sendTextsBestEffort never throws: not when the texts cannot be worked out, not without a sender', async () => {
  const { lines } = await capturingOutput(async () => {
    await expect(sendTextsBestEffort(undefined, [{ from: '+1', to: '+2', body: 'x' }], { reason: 'text_applet' })).resolves.toBeUndefined();
    await expect(sendTextsBestEffort(undefined, () => Promise.reject(new Error('directory unreachable')), { reason: 'voicemail_notify' })).resolves.toBeUndefined();
  });
  expect(lines.map((l) => l.message)).toEqual(['texts not sent: no carrier link in this handler', 'preparing texts failed; nothing sent']);
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
    const { result: summary, lines } = await capturingOutput(() =>
      new CarrierTextSender(async () => client, metrics, optOuts).sendTexts(
        ['+15550200001', '+15550200002'].map((to) => ({ from: '+15550100001', to, body: 'New voicemail' })),
        { reason: 'voicemail_notify', sid: 'CA1' },
      ),
    );
    expect(summary).toEqual({ sent: 1, failed: 1 });
    expect(recorded).toEqual([['+15550100001', '+15550200002', true, 'carrier_21610']]);
    expect(lines).toContainEqual(expect.objectContaining({ message: 'opt-outs could not be read; sending, the carrier refuses opted-out recipients' }));
  } finally {
    await fake.stop();
  }
});
