// Call queues end to end (issue 22 item 1): the local stack with the project's Twilio-compatible server
// (`npm start -- --fake-twilio`), the carrier simulator playing the caller (`npm run call -- --agent ...`).
// The caller waits in the queue hearing the hold prompt; the stack's job worker offers them to the
// queue's members through the twilio library's Calls API at the fake carrier, which plays the member: one
// who answers takes the caller (<Dial><Queue>); one who is busy or lets it ring leaves the caller waiting
// until maxWaitSeconds, then the timeout branch.
import { simulateCall, type Transcript } from '../../local/carrier';
import type { LocalStack } from '../../local/stack';
import { entries, httpOk, startTestStack } from '../support/local-stack';
import { twimlViolations } from '../support/twiml-structure';

let stack: LocalStack;
let annId: string;
let sequence = 0;
beforeAll(async () => {
  stack = await startTestStack({ fakeTwilio: true });
  const ann = await httpOk(stack, 'POST', '/api/users', { name: 'Ann Agent', phone: '+15550360001' });
  annId = ann.id;
});
afterAll(async () => {
  await stack?.stop();
});

async function queueLine(queue: string, over: Record<string, unknown> = {}) {
  const number = `+1555036${String(++sequence).padStart(4, '0')}`;
  const flow = await httpOk(stack, 'POST', '/api/flows', {
    name: `Queue ${queue}`,
    call: {
      start: 'q',
      applets: {
        q: { type: 'queue', name: queue, targets: [{ user: annId }], announceEverySeconds: 30, maxWaitSeconds: 60, timeout: 'sorry', ...over },
        sorry: { type: 'say', prompt: { text: 'Nobody could take your call.' }, next: 'bye' },
        bye: { type: 'hangup' },
      },
    },
  });
  await httpOk(stack, 'PUT', `/api/numbers/${encodeURIComponent(number)}`, { name: `${queue} line`, flowId: flow.id });
  // The number is the account's: the offers are placed from it.
  stack.fakeTwilio!.addNumber({ phoneNumber: number });
  return number;
}

const call = (to: string, agent: 'answers' | 'busy' | 'no-answer') =>
  simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to, from: `+1555037${String(++sequence).padStart(4, '0')}`, carrierUrl: stack.fakeTwilio!.url, agent, maxRequests: 80 });

const requestsTo = (t: Transcript, route: string) => entries(t, 'request').filter((r) => r.url.includes(route));

test('a queued caller hears the hold prompt in valid TwiML and is bridged when the member answers', async () => {
  const number = await queueLine('sales desk');
  const t = await call(number, 'answers');
  expect(t.ok).toBe(true);
  expect(entries(t, 'enqueue')).toEqual([{ kind: 'enqueue', queue: 'sales desk' }]);
  // The wait URL's answer: the position, the hold prompt, valid TwiML.
  const [wait] = requestsTo(t, '/twilio/voice/queue-wait');
  expect(twimlViolations(wait.answer, 'voice')).toEqual([]);
  expect(entries(t, 'say').map((s) => s.text)).toEqual(expect.arrayContaining(['You are next in line.', expect.stringContaining('Thanks for waiting')]));
  expect(entries(t, 'queue-result')).toEqual([expect.objectContaining({ result: 'bridged', agent: '+15550360001' })]);
  // The member answered within the first round (real seconds): the wait stops there, not after the round's
  // prompts (about a minute of them) nor past maxWaitSeconds.
  expect(entries(t, 'queue-result')[0].queueTimeSeconds).toBeLessThanOrEqual(10);
  // The caller's action after the conversation: hang up.
  const [action] = requestsTo(t, 'step=queue');
  expect(action.params.QueueResult).toBe('bridged');
  expect(action.answer).toContain('<Hangup/>');

  // At the carrier: one call placed to Ann from the called number; she heard the queue's name and was bridged with the caller.
  await stack.fakeTwilio!.calls.settle();
  const [offer] = stack.fakeTwilio!.calls.calls;
  expect(offer).toMatchObject({ to: '+15550360001', from: number, status: 'completed', bridgedWith: t.sid });
  expect(offer.heard).toEqual(['Call from the sales desk queue.']);
  expect(offer.request.events).toEqual(['answered', 'completed']);
  // Ann's call ended: she is idle again, and nothing waits in the queue.
  const queues = (await httpOk(stack, 'GET', '/api/queues')).queues as Array<{ name: string; waiting: unknown[]; offered: unknown[] }>;
  expect(queues.find((q) => q.name === 'sales desk')).toMatchObject({ waiting: [], offered: [] });
});

test.each(['busy', 'no-answer'] as const)('a member who is %s: the caller waits out maxWaitSeconds, <Leave/>s and takes the timeout branch', async (agent) => {
  const number = await queueLine(`desk ${agent}`);
  const before = stack.fakeTwilio!.calls.calls.length;
  const t = await call(number, agent);
  expect(t.ok).toBe(true);
  expect(entries(t, 'queue-result')).toEqual([expect.objectContaining({ result: 'leave' })]);
  expect(entries(t, 'queue-result')[0].queueTimeSeconds).toBeGreaterThanOrEqual(60);
  const waits = requestsTo(t, '/twilio/voice/queue-wait');
  expect(waits.at(-1)!.answer).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Leave/></Response>');
  const [action] = requestsTo(t, 'step=queue');
  expect(action.params.QueueResult).toBe('leave');
  expect(entries(t, 'say').map((s) => s.text)).toContain('Nobody could take your call.');
  // Ann was offered the call once; she did not take it, and was not offered it again at once.
  await stack.fakeTwilio!.calls.settle();
  const offers = stack.fakeTwilio!.calls.calls.slice(before);
  expect(offers.map((c) => c.status)).toEqual([agent]);
});
