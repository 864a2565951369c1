// Voicemail `notify.email` (issue 22 item 5): who is emailed and what the email says, decided by the domain
// as data, then built as real MIME by the job worker and read back with a mail parser (mailparser), as a
// mail client would read it. The worker's batch handling (SQS FIFO partial failures) too.
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { simpleParser } from 'mailparser';
import type { Directory, User } from '../../lambdas/flows/people';
import { dashboardLink, mailboxEmails, notifyChannels, transcriptEmails, voicemailEmails, type OutboundEmail } from '../../lambdas/flows/outbound';
import { composeMime, fromAddress } from '../../lambdas/mail/mime';
import { jobId, type EmailJob } from '../../lambdas/jobs/jobs';
import { runJobBatch } from '../../lambdas/jobs/worker-batch';

const user = (id: string, over: Partial<User>): User => ({ id, name: id, available: true, ...over });
const directory: Directory = {
  users: new Map([
    ['ann', user('ann', { name: 'Ann', email: 'ann@example.com', phone: '+15550100011' })],
    ['bob', user('bob', { name: 'Bob', phone: '+15550100022' })], // no address
    ['cat', user('cat', { name: 'Cat', email: 'cat@example.org', available: false })],
    ['twin', user('twin', { name: 'Ann again', email: 'ann@example.com' })],
  ]),
  groups: new Map([['sales', { id: 'sales', name: 'Sales', members: ['ann', 'bob', 'cat', 'twin'] }]]),
  flowIds: new Set(),
};
const sales = { kind: 'group', id: 'sales' } as const;
const facts = {
  caller: '+15550109999',
  number: '+15550100001',
  numberName: 'Main line',
  mailboxName: 'Sales',
  durationSeconds: 42,
  receivedAt: '2026-11-24T15:00:00.000Z',
  link: 'http://127.0.0.1:3000/#/mailboxes/group/sales/RE0123',
};

describe('notify channels', () => {
  test.each([
    [undefined, { sms: false, email: false }],
    [false, { sms: false, email: false }],
    [true, { sms: true, email: false }], // as before emails existed: texts only
    [{ email: true }, { sms: false, email: true }],
    [{ sms: true, email: true }, { sms: true, email: true }],
    [{}, { sms: false, email: false }],
  ])('%p is %p', (notify, channels) => {
    expect(notifyChannels(notify as never)).toEqual(channels);
  });
});

describe('who is emailed', () => {
  test('every member with an address, once per address, available or not', () => {
    expect(mailboxEmails(sales, directory)).toEqual(['ann@example.com', 'cat@example.org']);
    expect(mailboxEmails({ kind: 'user', id: 'bob' }, directory)).toEqual([]);
    expect(mailboxEmails({ kind: 'group', id: 'gone' }, directory)).toEqual([]);
  });

  test('the link opens the voicemail in its mailbox on the dashboard; none without a dashboard', () => {
    expect(dashboardLink('https://switchboard.example.com/', { kind: 'user', id: 'usr 1' }, 'RE42')).toBe('https://switchboard.example.com/#/mailboxes/user/usr%201/RE42');
    expect(dashboardLink(undefined, sales, 'RE42')).toBeUndefined();
  });
});

describe('what the email says', () => {
  test('the new voicemail: caller, number called (with its name), mailbox, length, time, link', () => {
    const [email] = voicemailEmails(sales, directory, facts);
    expect(email.subject).toBe('New voicemail from +15550109999, 0:42 (Main line)');
    expect(email.text).toBe([
      'From: +15550109999',
      'Number called: +15550100001 (Main line)',
      'Mailbox: Sales',
      'Length: 0:42',
      'Received: 2026-11-24T15:00:00.000Z',
      '',
      'Listen on the dashboard: http://127.0.0.1:3000/#/mailboxes/group/sales/RE0123',
    ].join('\n'));
    expect(email.html).toContain('<a href="http://127.0.0.1:3000/#/mailboxes/group/sales/RE0123">Listen on the dashboard</a>');
  });

  test('a withheld caller, an unknown length, a transcript on its way', () => {
    const [email] = voicemailEmails({ kind: 'user', id: 'ann' }, directory, { ...facts, caller: 'anonymous', durationSeconds: undefined, numberName: undefined, transcribing: true });
    expect(email.subject).toBe('New voicemail from a withheld number');
    expect(email.text).toContain('Number called: +15550100001\n');
    expect(email.text).not.toContain('Length');
    expect(email.text).toContain('The transcript follows in another email when it is ready.');
  });

  test('the transcript, when it arrives, in an email of its own; HTML escaped', () => {
    const [email] = transcriptEmails(sales, directory, { ...facts, transcript: ' Call me back <soon> & bring the "papers". ' });
    expect(email.subject).toBe('Transcript: voicemail from +15550109999 (Main line)');
    expect(email.text).toContain('\n\nCall me back <soon> & bring the "papers".\n\n');
    expect(email.html).toContain('<blockquote>Call me back &lt;soon&gt; &amp; bring the &quot;papers&quot;.</blockquote>');
  });
});

describe('the MIME message', () => {
  test('parses back into what was sent: sender, recipient, subject, text and HTML, non-ASCII intact', async () => {
    const [email] = voicemailEmails(sales, directory, { ...facts, mailboxName: 'Ventes — Zoë' });
    const raw = await composeMime(email, fromAddress('voicemail@example.com'), new Date('2026-11-24T15:00:05Z'));
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([{ name: 'Switchboard', address: 'voicemail@example.com' }]);
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value.map((a) => a.address)).toEqual(['ann@example.com']);
    expect(parsed.subject).toBe(email.subject);
    expect(parsed.date?.toISOString()).toBe('2026-11-24T15:00:05.000Z');
    expect(parsed.text?.trim()).toBe(email.text);
    expect(parsed.text).toContain('Mailbox: Ventes — Zoë');
    expect(parsed.html).toContain('Listen on the dashboard');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(raw.toString('utf8')).toMatch(/^Content-Type: multipart\/alternative;/m);
  });

  test('a domain identity sends as switchboard@ that domain', () => {
    expect(fromAddress('example.com')).toBe('switchboard@example.com');
    expect(fromAddress('alerts@example.com')).toBe('alerts@example.com');
  });
});

describe('the job worker on a batch of SQS FIFO messages', () => {
  const job = (to: string): EmailJob => ({
    kind: 'email', id: jobId('voicemail_notify', 'RE1', to), reason: 'voicemail_notify',
    email: { to, subject: 'New voicemail', text: 'x', html: '<p>x</p>' },
  });
  const record = (id: string, body: unknown, group: string): SQSRecord => ({
    messageId: id, receiptHandle: id, body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: { MessageGroupId: group, ApproximateReceiveCount: '1' } as SQSRecord['attributes'],
    messageAttributes: {}, md5OfBody: '', eventSource: 'aws:sqs', eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:jobs.fifo', awsRegion: 'us-east-1',
  });

  test('sends each email as MIME; names the failed ones, the unreadable ones, and those after a failure in their group', async () => {
    const sent: Array<{ to: string; raw: string }> = [];
    const mail = {
      send: async (raw: Buffer, email: OutboundEmail) => {
        if (email.to === 'down@example.com') throw new Error('SES throttled');
        sent.push({ to: email.to, raw: raw.toString('utf8') });
      },
    };
    const event: SQSEvent = {
      Records: [
        record('1', job('ann@example.com'), 'g1'),
        record('2', job('down@example.com'), 'g2'),
        record('3', job('later@example.com'), 'g2'), // behind a failure of its group: not run
        record('4', 'not json', 'g3'),
        record('5', { kind: 'email', id: 'x' }, 'g4'), // not a whole job
        record('6', job('cat@example.org'), 'g5'),
      ],
    };
    const out = await runJobBatch(event, { mail, from: 'switchboard@example.com', now: () => new Date() });
    expect(out.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['2', '3', '4', '5']);
    expect(sent.map((s) => s.to)).toEqual(['ann@example.com', 'cat@example.org']);
    expect((await simpleParser(sent[0].raw)).subject).toBe('New voicemail');
  });

  test('job ids are what SQS FIFO takes as a deduplication id, however long the parts', () => {
    const long = jobId('voicemail_notify', 'RE'.padEnd(34, '0'), `${'x'.repeat(200)}@example.com`);
    expect(long.length).toBeLessThanOrEqual(128);
    expect(long).toMatch(/^[A-Za-z0-9_.:@+~-]+$/);
    expect(jobId('a', 'b c')).toBe('a:b_c');
  });
});
