// `npm run import -- studio ...` end to end (DESIGN.md section 18): the local stack with its Twilio-compatible
// server (as `npm start -- --fake-twilio`), whose account has the demo Studio flow on a number of its own.
// --from-twilio lists it with its number; --take-over imports it, and the number ends `ok` on the imported
// flow, pointing here: a call to it reaches the imported menu and its voicemail lands in the chosen mailbox.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { simulateCall } from '../../local/carrier';
import type { FakeTwilio } from '../../local/fake-twilio';
import type { LocalStack } from '../../local/stack';
import { DEMO_STUDIO_FLOW_NAME, DEMO_STUDIO_NUMBER } from '../../local/studio-demo';
import { entries, httpOk, startTestStack } from '../support/local-stack';

let stack: LocalStack;
let fake: FakeTwilio;
beforeAll(async () => {
  stack = await startTestStack({ fakeTwilio: true });
  fake = stack.fakeTwilio!;
});
afterAll(async () => {
  await stack?.stop();
});

const ok = (method: string, path: string, body?: unknown) => httpOk(stack, method, path, body);

/** Runs the command as a user would; its exit code, output and errors. */
async function importCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'bin/import.ts', ...args, '--url', stack.url], { cwd: `${__dirname}/../..` });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('--from-twilio lists the account’s Studio flows and the numbers each answers', async () => {
  const { code, stdout } = await importCli('studio', '--from-twilio');
  expect(code).toBe(0);
  const studioSid = fake.listNumbers().find((n) => n.phone_number === DEMO_STUDIO_NUMBER)!.voice_url!.split('/').pop()!;
  expect(stdout).toMatch(new RegExp(`${studioSid}\\s+${DEMO_STUDIO_FLOW_NAME}\\s+published\\s+\\${DEMO_STUDIO_NUMBER} \\(calls and texts\\)`));
  expect(stdout).toContain('Pick with --flow');
});

test('a file whose flow the checker fails is reported and not created (exit 1)', async () => {
  const before = (await ok('GET', '/api/flows')).flows.length;
  const { code, stdout } = await importCli('studio', 'test/fixtures/studio/plastik-ivr.json', '--mailbox', 'Sales');
  expect(code).toBe(1);
  expect(stdout).toMatch(/plastik-ivr\.json → "IVR": 27 mapped, 22 not imported \(49 widgets\)/);
  expect(stdout).toMatch(/NOT IMPORTED {2}card_info_pin_gather \(gather-input-on-call\) \[call\]: it collects several digits \(1234\): a menu takes one key; a hangup stands in its place/);
  expect(stdout).toMatch(/The checker: 4 error\(s\)/);
  expect(stdout).toMatch(/Not created: the checker found 4 errors/);
  expect((await ok('GET', '/api/flows')).flows.length).toBe(before);
});

test('an unknown mailbox is named, and nothing is imported', async () => {
  const { code, stderr } = await importCli('studio', 'test/fixtures/studio/ivr-builder-basic.json', '--mailbox', 'Nobody');
  expect(code).toBe(1);
  expect(stderr).toMatch(/--mailbox Nobody names no user or group \(there are: group:Sales/);
});

test('--take-over imports the Studio flow and moves its number here: ok on the imported flow, and its voicemail lands in the chosen mailbox', async () => {
  const studioSid = fake.numberFor(DEMO_STUDIO_NUMBER)!.voice_url!.split('/').pop()!;
  const { code, stdout } = await importCli('studio', '--from-twilio', '--flow', studioSid, '--take-over', '--mailbox', 'Sales', '--json');
  expect(code).toBe(0);
  const [outcome] = JSON.parse(stdout).imports;
  expect(outcome.answer.problems).toEqual([]);
  expect(outcome.created).toEqual({ id: expect.stringMatching(/^flw_/), revision: 1 });
  expect(outcome.takeOver).toEqual({ flowId: outcome.created.id, numbers: [{ number: DEMO_STUDIO_NUMBER, registered: true, connected: true }] });

  expect(await ok('GET', `/api/numbers/${encodeURIComponent(DEMO_STUDIO_NUMBER)}`)).toMatchObject({ flowId: outcome.created.id, flowName: DEMO_STUDIO_FLOW_NAME, status: 'ok' });
  expect(fake.numberFor(DEMO_STUDIO_NUMBER)).toMatchObject({ voice_url: `${stack.url}/twilio/voice`, sms_url: `${stack.url}/twilio/sms` });

  const sales = (await ok('GET', '/api/groups')).groups.find((g: { name: string }) => g.name === 'Sales');
  const call = await simulateCall({ baseUrl: stack.url, authToken: stack.authToken, to: DEMO_STUDIO_NUMBER, from: '+15550109876', digits: ['2'] });
  // Studio's say-play and record-voicemail are one voicemail applet now: the prompt is said once, then the beep.
  expect(entries(call, 'say').map((s) => s.text)).toEqual(['Thanks for calling Acme.', 'For sales press 1. To leave a message press 2.', 'Please leave a message after the tone.']);
  expect(entries(call, 'record')).toHaveLength(1);
  const { messages } = await ok('GET', `/api/mailboxes/group/${sales.id}/messages`);
  expect(messages).toEqual([expect.objectContaining({ kind: 'voicemail', from: '+15550109876', to: DEMO_STUDIO_NUMBER, callSid: call.sid })]);

  // Nothing answers through the Studio flow any more: listing it again shows no number.
  expect((await importCli('studio', '--from-twilio')).stdout).toMatch(new RegExp(`${studioSid}\\s+${DEMO_STUDIO_FLOW_NAME}\\s+published\\s+\\(no number\\)`));
});
