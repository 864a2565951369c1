// What a call and a text through the local stack write to the logs (DESIGN.md sections 10 and 14):
// Powertools JSON lines with level, message and service name, the CallSid as correlation id, and never
// a full phone number, a message body or the auth token.
import { DEMO_NUMBERS } from '../../local/seed';
import { simulateCall, simulateSms } from '../../local/carrier';
import type { LocalStack } from '../../local/stack';
import { logReplacer, maskPhoneNumbers } from '../../lambdas/observability/logger';
import { startTestStack } from '../support/local-stack';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

/** Everything written to stdout and stderr while `work` runs. */
async function captured(work: () => Promise<unknown>): Promise<string> {
  const chunks: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) =>
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => (chunks.push(String(chunk)), true)),
  );
  try {
    await work();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return chunks.join('');
}

const CALLER = '+15550107341';
const SECRET_BODY = 'my account password is hunter2';
const OPEN = '2026-11-24T15:00:00Z';

it('a call and a text log JSON lines with level, message, service and correlation id, and no full number, body or token', async () => {
  const output = await captured(async () => {
    await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: DEMO_NUMBERS.main, from: CALLER, at: OPEN, digits: ['1'], dial: ['no-answer', 'completed'] });
    // A number without a flow: the safe answer, logged as a warning.
    await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: DEMO_NUMBERS.spare, from: CALLER });
    await simulateSms({ baseUrl: stack.url, authToken: stack.authToken, to: DEMO_NUMBERS.spare, from: CALLER, body: SECRET_BODY });
  });
  const lines = output.split('\n').filter((l) => l.trim().startsWith('{'));
  const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => 'level' in l);
  expect(logs.length).toBeGreaterThan(0);
  for (const log of logs) {
    expect(log).toEqual(expect.objectContaining({ level: expect.stringMatching(/^(DEBUG|INFO|WARN|ERROR)$/), message: expect.any(String), service: 'switchboard' }));
  }
  const unrouted = logs.filter((l) => l.message === 'call answered with the safe TwiML');
  expect(unrouted).toEqual([expect.objectContaining({ level: 'WARN', reason: 'no_flow', to: '+*******0003', correlation_id: expect.stringMatching(/^CA[0-9a-f]{32}$/) })]);
  expect(logs).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'text kept in unrouted', correlation_id: expect.stringMatching(/^SM[0-9a-f]{32}$/) }));
  for (const number of [CALLER, DEMO_NUMBERS.main, DEMO_NUMBERS.spare, encodeURIComponent(CALLER)]) expect(output).not.toContain(number);
  expect(output).not.toContain(SECRET_BODY);
  expect(output).not.toContain(stack.authToken);

  // Powertools metrics (EMF) in the same output: the unrouted call and text, safe answers by reason, applets by type.
  const emf = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => '_aws' in l);
  const names = (l: Record<string, unknown>) => ((l._aws as { CloudWatchMetrics: Array<{ Metrics: Array<{ Name: string }> }> }).CloudWatchMetrics[0].Metrics.map((m) => m.Name));
  expect(emf.some((l) => names(l).includes('CallsUnrouted') && l.CallsUnrouted === 1)).toBe(true);
  expect(emf.some((l) => names(l).includes('TextsUnrouted') && l.TextsUnrouted === 1)).toBe(true);
  expect(emf).toContainEqual(expect.objectContaining({ SafeAnswers: 1, reason: 'no_flow', service: 'switchboard' }));
  expect(emf).toContainEqual(expect.objectContaining({ AppletRuns: 1, applet: 'menu' }));
  expect(emf.filter((l) => names(l).includes('WebhookAnswers')).length).toBeGreaterThanOrEqual(4);
});

describe('the log replacer, the last line of defence', () => {
  it('masks E.164 numbers (also URL-encoded) inside any string, keeping the last four digits', () => {
    expect(maskPhoneNumbers('from +15550107341 to %2B442071234567')).toBe('from +*******7341 to %2B********4567');
    expect(maskPhoneNumbers('CallSid CA0123456789abcdef0123456789abcdef at 2026-11-24T15:00:00Z')).toBe('CallSid CA0123456789abcdef0123456789abcdef at 2026-11-24T15:00:00Z');
  });

  it('redacts bodies, transcripts and credentials whatever the level', () => {
    const line = JSON.stringify({ level: 'ERROR', Body: SECRET_BODY, params: { TranscriptionText: 'hello', authToken: 't0k' }, message: 'failed for +15550107341' }, logReplacer);
    expect(JSON.parse(line)).toEqual({ level: 'ERROR', Body: '[redacted]', params: { TranscriptionText: '[redacted]', authToken: '[redacted]' }, message: 'failed for +*******7341' });
  });
});
