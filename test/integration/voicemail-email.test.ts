// Voicemail `notify.email` through the voice webhook against DynamoDB Local (issue 22 item 5): the request
// that stores a recording hands one email job per member address to the job queue (nothing is composed or
// sent while the carrier waits); the worker composes the MIME and sends it: locally into an `.eml` file,
// in AWS through SES v2 (here a stand-in SES endpoint that records the request). What was sent is parsed.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { simpleParser } from 'mailparser';
import { publishFlow } from '../../lambdas/admin/flows';
import { flowDocumentSchema } from '../../lambdas/flows/schema';
import { SesTransport } from '../../lambdas/mail/ses-transport';
import { DirJobQueue } from '../../lambdas/jobs/dir-job-queue';
import { createStores } from '../../lambdas/store/stores';
import type { WebhookHandler } from '../../lambdas/webhooks/guard';
import { voiceWebhook } from '../../lambdas/webhooks/voice';
import { EmlTransport } from '../../local/eml-transport';
import { JobDrain } from '../../local/job-drain';
import { createTestTables } from '../support/dynamo';
import { tempSpill } from '../support/spill';
import { signedTwilioEvent, TEST_AUTH_TOKEN } from '../support/twilio-events';

const NUMBER = '+15550100095';
const CALLER = '+15550109977';
let stores: ReturnType<typeof createStores>;
let webhook: WebhookHandler;
let dir: string;
let jobQueue: DirJobQueue;
let drain: JobDrain;
let mailDir: string;
const spilled = tempSpill();
let groupId: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'switchboard-email-test-'));
  jobQueue = new DirJobQueue(path.join(dir, 'jobs'));
  mailDir = path.join(dir, 'mail');
  drain = new JobDrain(jobQueue, { mail: new EmlTransport(mailDir), from: 'voicemail@example.com', now: () => new Date() });
  const t = await createTestTables();
  stores = createStores(t.doc, t.names);
  webhook = voiceWebhook({
    ...stores, spill: spilled.spill, now: () => new Date('2026-11-24T15:00:00Z'), authToken: async () => TEST_AUTH_TOKEN,
    jobs: jobQueue, dashboardUrl: 'https://switchboard.example.com',
  });
  const [ann, bob] = await Promise.all([
    stores.directory.createUser({ name: 'Ann', email: 'ann@example.com', phone: '+15550240001', available: true }),
    stores.directory.createUser({ name: 'Bob', phone: '+15550240002', available: false }), // no address: no email
  ]);
  const team = await stores.directory.createGroup({ name: 'Front desk', members: [ann.id, bob.id] });
  groupId = team.id;
  const flow = await publishFlow({ ...stores, now: () => new Date() }, undefined, flowDocumentSchema.parse({
    name: 'Mailed',
    call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { group: team.id }, transcribe: true, notify: { email: true } } } },
  }));
  await stores.numbers.register(NUMBER, 'Front desk line', flow.id, new Date());
});

afterAll(async () => {
  await drain.stop();
  rmSync(dir, { recursive: true, force: true });
  spilled.dispose();
});

const local = (url: string) => url.replace(/&amp;/g, '&').replace(/^https:\/\/[^/]+/, '');
const mails = () => (readdirSync(mailDir, { withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.eml')).map((e) => path.join(mailDir, e.name)).sort());

test('a voicemail that emails: one job per address, then a real MIME message naming the caller, the number, the length and the link', async () => {
  const callSid = `CA${'e1'.repeat(16)}`;
  const call = await webhook(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: CALLER, To: NUMBER, CallStatus: 'ringing' } }));
  const record = /<Record ([^>]+)\/>/.exec(call.body)![1];
  const attr = (name: string) => local(new RegExp(`${name}="([^"]+)"`).exec(record)![1]);
  expect(attr('recordingStatusCallback')).toContain('ne=1');
  expect(attr('transcribeCallback')).toContain('ne=1');

  const recording = { CallSid: callSid, RecordingSid: `RE${'e1'.repeat(16)}`, RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE${'e1'.repeat(16)}`, RecordingDuration: '42' };
  // The Record action stores it and hands the email off; the status callback that follows finds it stored.
  await webhook(signedTwilioEvent({ url: attr('action'), params: { ...recording, From: CALLER, To: NUMBER, Digits: 'hangup' } }));
  await webhook(signedTwilioEvent({ url: attr('recordingStatusCallback'), params: { ...recording, RecordingStatus: 'completed' } }));
  expect(jobQueue.pending()).toHaveLength(1); // Ann only: Bob has no address; once, not once per request
  expect(readdirSync(mailDir)).toEqual([]); // nothing composed or sent while the carrier waited

  expect(await drain.drainNow()).toBe(1);
  const [file] = mails();
  const parsed = await simpleParser(readFileSync(file));
  expect(parsed.from?.value[0].address).toBe('voicemail@example.com');
  expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.text).toBe('ann@example.com');
  expect(parsed.subject).toBe(`New voicemail from ${CALLER}, 0:42 (Front desk line)`);
  expect(parsed.text).toContain(`From: ${CALLER}`);
  expect(parsed.text).toContain(`Number called: ${NUMBER} (Front desk line)`);
  expect(parsed.text).toContain('Mailbox: Front desk');
  expect(parsed.text).toContain('Length: 0:42');
  expect(parsed.text).toContain('The transcript follows in another email');
  expect(parsed.text).toContain(`Listen on the dashboard: https://switchboard.example.com/#/mailboxes/group/${groupId}/${recording.RecordingSid}`);

  // The transcript, when it comes, in a second email; a retried callback sends nothing again.
  const transcript = { CallSid: callSid, RecordingSid: recording.RecordingSid, TranscriptionText: 'Please call me back about the invoice.', TranscriptionStatus: 'completed' };
  await webhook(signedTwilioEvent({ url: attr('transcribeCallback'), params: transcript }));
  await webhook(signedTwilioEvent({ url: attr('transcribeCallback'), params: transcript }));
  expect(await drain.drainNow()).toBe(1);
  const second = await simpleParser(readFileSync(mails()[1]));
  expect(second.subject).toBe(`Transcript: voicemail from ${CALLER} (Front desk line)`);
  expect(second.text).toContain('Please call me back about the invoice.');
  expect(jobQueue.pending()).toEqual([]);
  // Nothing was texted: notify asked for email only.
});

test('notify: true still texts only: no email job', async () => {
  const flow = await publishFlow({ ...stores, now: () => new Date() }, undefined, flowDocumentSchema.parse({
    name: 'Texted', call: { start: 'vm', applets: { vm: { type: 'voicemail', mailbox: { group: groupId }, notify: true } } },
  }));
  await stores.numbers.register('+15550100096', 'Texted line', flow.id, new Date());
  const callSid = `CA${'e2'.repeat(16)}`;
  const call = await webhook(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: CALLER, To: '+15550100096', CallStatus: 'ringing' } }));
  const action = local(/<Record [^>]*action="([^"]+)"/.exec(call.body)![1]);
  expect(call.body).not.toContain('ne=1');
  await webhook(signedTwilioEvent({ url: action, params: { CallSid: callSid, From: CALLER, To: '+15550100096', RecordingSid: `RE${'e2'.repeat(16)}`, RecordingDuration: '5', Digits: 'hangup' } }));
  expect(jobQueue.pending()).toEqual([]);
});

describe('in AWS: SES v2 SendEmail with the MIME as raw content', () => {
  let server: Server;
  const requests: Array<{ path: string; body: string }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ MessageId: '0100018c-test' }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('the request SES receives carries the verified sender, the recipient and a message that parses back', async () => {
    const client = new SESv2Client({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
    });
    const ses = new SesTransport('voicemail@example.com', client);
    const worker = new JobDrain(new DirJobQueue(path.join(dir, 'ses-jobs')), { mail: ses, from: 'voicemail@example.com', now: () => new Date() });
    await worker.jobs.put([{ kind: 'email', id: 'voicemail_notify:REses:ann@example.com', reason: 'voicemail_notify', email: { to: 'ann@example.com', subject: 'New voicemail from +15550109977', text: 'From: +15550109977', html: '<p>From: +15550109977</p>' } }]);
    expect(await worker.drainNow()).toBe(1);
    expect(requests).toHaveLength(1);
    expect(requests[0].path).toBe('/v2/email/outbound-emails');
    const body = JSON.parse(requests[0].body) as { FromEmailAddress: string; Destination: { ToAddresses: string[] }; Content: { Raw: { Data: string } } };
    expect(body.FromEmailAddress).toBe('voicemail@example.com');
    expect(body.Destination.ToAddresses).toEqual(['ann@example.com']);
    const parsed = await simpleParser(Buffer.from(body.Content.Raw.Data, 'base64'));
    expect(parsed.subject).toBe('New voicemail from +15550109977');
    expect(parsed.text?.trim()).toBe('From: +15550109977');
    client.destroy();
  });
});

test('a job queue that refuses the email changes nothing for the caller: the voicemail is stored and the call ends as usual', async () => {
  const refusing = voiceWebhook({
    ...stores, spill: spilled.spill, now: () => new Date(), authToken: async () => TEST_AUTH_TOKEN,
    jobs: { put: async () => { throw new Error('SQS is down'); } }, dashboardUrl: 'https://switchboard.example.com',
  });
  const callSid = `CA${'e3'.repeat(16)}`;
  const call = await refusing(signedTwilioEvent({ url: '/twilio/voice', params: { CallSid: callSid, From: CALLER, To: NUMBER, CallStatus: 'ringing' } }));
  const action = local(/<Record [^>]*action="([^"]+)"/.exec(call.body)![1]);
  const recordingSid = `RE${'e3'.repeat(16)}`;
  const answer = await refusing(signedTwilioEvent({ url: action, params: { CallSid: callSid, From: CALLER, To: NUMBER, RecordingSid: recordingSid, RecordingDuration: '9', Digits: 'hangup' } }));
  expect(answer.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>');
  const messages = await stores.messages.list(`group#${groupId}`);
  expect(messages.map((m) => m.id)).toContain(recordingSid);
});
