import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseTwiml, simulateCall, simulateSms, SIMULATED_TIME_HEADER, describeEntry, type TranscriptEntry } from '../../local/carrier';
import { verifyTwilioRequest } from '../../lambdas/twilio/signature';
import { singleParam, type TwilioParams } from '../../lambdas/twilio/request';

const TOKEN = 'carrier-test-token';

interface Received {
  /** Path and query, as requested. */
  path: string;
  params: TwilioParams;
  query: TwilioParams;
  signatureOk: boolean;
  headers: Record<string, string | string[] | undefined>;
}

/** A stand-in for the stack: canned TwiML per path (query ignored), every request recorded and verified. */
class CannedCarrierServer {
  readonly received: Received[] = [];
  routes: Record<string, string | ((r: Received) => string) | { status: number; body: string }> = {};
  private server?: Server;
  baseUrl = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '/';
        const [rawPath, rawQueryString = ''] = path.split(/\?(.*)/s);
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
        const verified = verifyTwilioRequest({ headers, body, isBase64Encoded: false, rawPath, rawQueryString, requestContext: { domainName: 'unused' } }, TOKEN, this.baseUrl);
        const params = new URLSearchParams(body);
        const received: Received = {
          path,
          params: Object.fromEntries(params),
          query: Object.fromEntries(new URLSearchParams(rawQueryString)),
          signatureOk: verified.ok,
          headers: req.headers,
        };
        this.received.push(received);
        const route = this.routes[rawPath] ?? '<Response/>';
        if (typeof route === 'object') {
          res.writeHead(route.status, { 'content-type': 'text/plain' }).end(route.body);
          return;
        }
        res.writeHead(200, { 'content-type': 'text/xml' }).end(typeof route === 'function' ? route(received) : route);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server!.close(() => resolve()));
  }

  paths = () => this.received.map((r) => r.path);
}

const stack = new CannedCarrierServer();
beforeAll(() => stack.start());
afterAll(() => stack.stop());
beforeEach(() => {
  stack.received.length = 0;
  stack.routes = {};
});

const call = (options: { digits?: string[]; dial?: ('completed' | 'no-answer' | 'busy')[]; at?: string; maxRequests?: number } = {}) =>
  simulateCall({ baseUrl: stack.baseUrl, authToken: TOKEN, to: '+15550100001', from: '+15550107777', ...options });
const kinds = (entries: TranscriptEntry[]) => entries.filter((e) => e.kind !== 'request').map((e) => e.kind);

describe('simulateCall', () => {
  test('posts an incoming call to /twilio/voice with Twilio’s parameters and a valid signature', async () => {
    stack.routes['/twilio/voice'] = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Hello</Say></Response>';

    const transcript = await call({ at: '2026-03-02T15:00:00Z' });

    expect(transcript.ok).toBe(true);
    expect(stack.received).toHaveLength(1);
    const [voice] = stack.received;
    expect(voice.path).toBe('/twilio/voice');
    expect(voice.signatureOk).toBe(true);
    expect(voice.headers[SIMULATED_TIME_HEADER]).toBe('2026-03-02T15:00:00Z');
    expect(voice.params).toEqual({
      CallSid: transcript.sid,
      AccountSid: expect.stringMatching(/^AC[0-9a-f]{32}$/),
      From: '+15550107777',
      To: '+15550100001',
      CallStatus: 'ringing',
      Direction: 'inbound',
      ApiVersion: '2010-04-01',
    });
    expect(transcript.sid).toMatch(/^CA[0-9a-f]{32}$/);
    expect(transcript.entries.filter((e) => e.kind !== 'request').map((e) => describeEntry(e))).toEqual(['caller hears: "Hello"', 'call ends (end of TwiML)']);
  });

  test('signs with the given token, so a stack with another token refuses it', async () => {
    await simulateCall({ baseUrl: stack.baseUrl, authToken: 'another-token', to: '+15550100001' });

    expect(stack.received[0].signatureOk).toBe(false);
  });

  test('posts the pressed digits to the Gather action, resolved against the current URL', async () => {
    stack.routes['/twilio/voice'] = '<Response><Gather numDigits="1" action="voice/step?flow=f1&amp;applet=menu"><Say>Press 1</Say></Gather></Response>';
    stack.routes['/twilio/voice/step'] = '<Response><Hangup/></Response>';

    const transcript = await call({ digits: ['1'] });

    expect(stack.paths()).toEqual(['/twilio/voice', '/twilio/voice/step?flow=f1&applet=menu']);
    expect(stack.received[1]).toMatchObject({ signatureOk: true, query: { flow: 'f1', applet: 'menu' }, params: { Digits: '1', CallStatus: 'in-progress' } });
    expect(kinds(transcript.entries)).toEqual(['say', 'gather', 'end']);
    expect(transcript.entries).toContainEqual({ kind: 'end', leg: 'caller', reason: 'hangup' });
  });

  test('without input goes on with the verb after the Gather and never calls its action', async () => {
    stack.routes['/twilio/voice'] = '<Response><Gather action="/twilio/voice/menu"><Say>Press 1</Say></Gather><Say>Sorry</Say><Redirect>/twilio/voice/again?attempt=2</Redirect></Response>';
    stack.routes['/twilio/voice/again'] = '<Response><Say>Goodbye</Say></Response>';

    const transcript = await call();

    expect(stack.paths()).toEqual(['/twilio/voice', '/twilio/voice/again?attempt=2']);
    expect(stack.received[1].signatureOk).toBe(true);
    expect(stack.received[1].params.Digits).toBeUndefined();
    expect(transcript.entries).toContainEqual({ kind: 'gather', leg: 'caller', digits: undefined, timeoutSeconds: 5 });
    expect(kinds(transcript.entries)).toEqual(['say', 'gather', 'say', 'say', 'end']);
  });

  test('an empty --digits value is no input for that Gather; the next value answers the next one', async () => {
    stack.routes['/twilio/voice'] = '<Response><Gather/><Redirect>/twilio/voice/retry</Redirect></Response>';
    stack.routes['/twilio/voice/retry'] = '<Response><Gather/></Response>';

    await call({ digits: ['', '2'] });

    // The second Gather has no action: Twilio posts to the current URL.
    expect(stack.paths()).toEqual(['/twilio/voice', '/twilio/voice/retry', '/twilio/voice/retry']);
    expect(stack.received[2].params.Digits).toBe('2');
  });

  test('posts the Dial result to its action: no-answer by default, then the given statuses', async () => {
    stack.routes['/twilio/voice'] = '<Response><Dial timeout="20" action="/twilio/voice/dialed?member=0"><Number>+15550100002</Number><Client>ann</Client></Dial></Response>';
    stack.routes['/twilio/voice/dialed'] = (r) =>
      r.query.member === '0' ? '<Response><Dial action="/twilio/voice/dialed?member=1"><Number>+15550100003</Number></Dial></Response>' : '<Response><Hangup/></Response>';

    const transcript = await call({ dial: ['no-answer', 'completed'] });

    const dialed = stack.received.slice(1);
    expect(dialed.map((r) => r.path)).toEqual(['/twilio/voice/dialed?member=0', '/twilio/voice/dialed?member=1']);
    expect(dialed.every((r) => r.signatureOk)).toBe(true);
    expect(dialed[0].params).toMatchObject({ DialCallStatus: 'no-answer', DialCallDuration: '0', DialCallSid: expect.stringMatching(/^CA[0-9a-f]{32}$/) });
    expect(dialed[1].params).toMatchObject({ DialCallStatus: 'completed', DialCallDuration: '30' });
    expect(transcript.entries).toContainEqual({ kind: 'dial', targets: ['+15550100002', 'client ann'], timeoutSeconds: 20 });
    expect(describeEntry(transcript.entries.find((e) => e.kind === 'dial')!)).toBe('ringing +15550100002, client ann, 20 s');
  });

  test('without a Dial action goes on with the next verb', async () => {
    stack.routes['/twilio/voice'] = '<Response><Dial>+15550100002</Dial><Say>Nobody answered</Say></Response>';

    const transcript = await call({ dial: ['busy'] });

    expect(stack.received).toHaveLength(1);
    expect(kinds(transcript.entries)).toEqual(['dial', 'dial-result', 'say', 'end']);
    expect(transcript.entries).toContainEqual({ kind: 'dial-result', status: 'busy', answeredBy: undefined, durationSeconds: 0 });
  });

  test('an answered screened call runs the screening TwiML on the callee leg and accepts with 1', async () => {
    stack.routes['/twilio/voice'] =
      '<Response><Dial answerOnBridge="true" action="/twilio/voice/dialed"><Number url="/twilio/voice/screen?u=ann">+15550100002</Number></Dial></Response>';
    stack.routes['/twilio/voice/screen'] = '<Response><Gather numDigits="1" action="/twilio/voice/screened"><Say>Call for Ann, press 1</Say></Gather><Hangup/></Response>';
    stack.routes['/twilio/voice/screened'] = (r) => (r.params.Digits === '1' ? '<Response/>' : '<Response><Hangup/></Response>');
    stack.routes['/twilio/voice/dialed'] = '<Response><Hangup/></Response>';

    const transcript = await call({ dial: ['completed'] });

    expect(stack.paths()).toEqual(['/twilio/voice', '/twilio/voice/screen?u=ann', '/twilio/voice/screened', '/twilio/voice/dialed']);
    const [parent, screen, screened, dialed] = stack.received;
    expect(stack.received.every((r) => r.signatureOk)).toBe(true);
    expect(screen.params).toMatchObject({ CallSid: dialed.params.DialCallSid, ParentCallSid: parent.params.CallSid, From: '+15550107777', To: '+15550100002', Direction: 'outbound-dial' });
    expect(screened.params).toMatchObject({ CallSid: dialed.params.DialCallSid, Digits: '1' });
    expect(dialed.params).toMatchObject({ CallSid: parent.params.CallSid, DialCallStatus: 'completed' });
    expect(transcript.entries.filter((e) => e.kind !== 'request').map((e) => describeEntry(e))).toEqual([
      'ringing +15550100002, 30 s',
      'callee hears: "Call for Ann, press 1"',
      'callee presses 1',
      'callee leg: end of TwiML, calls are bridged',
      '+15550100002 answers; they talk for 30 s and hang up (completed)',
      'call ends (<Hangup/>)',
    ]);
  });

  test('records, posts the action as a hang-up, then the recording and transcription callbacks', async () => {
    stack.routes['/twilio/voice'] =
      '<Response><Say>Leave a message</Say><Record maxLength="120" action="/twilio/voice/recorded?box=g1" recordingStatusCallback="/twilio/voice/recording" transcribe="true" transcribeCallback="/twilio/voice/transcript"/><Say>never played</Say></Response>';

    const transcript = await call();

    expect(stack.paths()).toEqual(['/twilio/voice', '/twilio/voice/recorded?box=g1', '/twilio/voice/recording', '/twilio/voice/transcript']);
    expect(stack.received.every((r) => r.signatureOk)).toBe(true);
    const [voice, recorded, status, transcriptCallback] = stack.received;
    expect(recorded.params).toMatchObject({
      CallSid: voice.params.CallSid,
      RecordingSid: expect.stringMatching(/^RE[0-9a-f]{32}$/),
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${voice.params.AccountSid}/Recordings/${recorded.params.RecordingSid}`,
      RecordingDuration: '7',
      Digits: 'hangup',
    });
    expect(status.params).toMatchObject({ RecordingStatus: 'completed', RecordingSid: recorded.params.RecordingSid, RecordingUrl: recorded.params.RecordingUrl, CallSid: voice.params.CallSid, AccountSid: voice.params.AccountSid });
    expect(status.params.From).toBeUndefined();
    expect(status.params.To).toBeUndefined();
    expect(transcriptCallback.params).toMatchObject({ TranscriptionText: '(simulated transcript)', TranscriptionStatus: 'completed', RecordingSid: recorded.params.RecordingSid, CallSid: voice.params.CallSid });
    expect(kinds(transcript.entries)).toEqual(['say', 'record', 'end']);
    expect(transcript.entries).toContainEqual({ kind: 'end', leg: 'caller', reason: 'caller-hung-up' });
  });

  test('a Record without action posts to the current URL', async () => {
    stack.routes['/twilio/voice/vm'] = '<Response><Record/></Response>';
    stack.routes['/twilio/voice'] = '<Response><Redirect>/twilio/voice/vm?x=1</Redirect></Response>';

    await call();

    expect(stack.paths()).toEqual(['/twilio/voice', '/twilio/voice/vm?x=1', '/twilio/voice/vm?x=1']);
    expect(stack.received[2].params.Digits).toBe('hangup');
  });

  test('stops a flow that loops after the request limit, with a warning', async () => {
    stack.routes['/twilio/voice'] = '<Response><Redirect>/twilio/voice</Redirect></Response>';

    const transcript = await call({ maxRequests: 5 });

    expect(transcript.ok).toBe(false);
    expect(stack.received).toHaveLength(5);
    expect(transcript.entries.at(-1)).toMatchObject({ kind: 'warning', text: expect.stringContaining('5 requests') });
  });

  test('stops at an answer other than 200 and reports it', async () => {
    stack.routes['/twilio/voice'] = { status: 403, body: 'bad signature' };

    const transcript = await call();

    expect(transcript.ok).toBe(false);
    expect(transcript.entries.at(-1)).toMatchObject({ kind: 'error', status: 403, answer: 'bad signature' });
  });

  test('stops at an answer that is not TwiML', async () => {
    stack.routes['/twilio/voice'] = '<html><body>oops</body></html>';

    const transcript = await call();

    expect(transcript.ok).toBe(false);
    expect(transcript.entries.at(-1)).toMatchObject({ kind: 'error', text: expect.stringContaining('not <Response>') });
  });
});

describe('simulateSms', () => {
  test('posts a text with media and prints every Message of the answer', async () => {
    stack.routes['/twilio/sms'] =
      '<Response><Message>Thanks!</Message><Message to="+15550100002"><Body>From +15550107777: hi</Body><Media>https://m.example.com/a.png</Media></Message></Response>';

    const transcript = await simulateSms({
      baseUrl: stack.baseUrl,
      authToken: TOKEN,
      to: '+15550100001',
      from: '+15550107777',
      body: 'hi & bye',
      media: ['https://m.example.com/cat.JPG', 'https://m.example.com/doc.pdf?x=1'],
    });

    expect(transcript.ok).toBe(true);
    expect(transcript.sid).toMatch(/^MM[0-9a-f]{32}$/);
    const [sms] = stack.received;
    expect(sms.signatureOk).toBe(true);
    expect(sms.params).toMatchObject({
      MessageSid: transcript.sid,
      SmsSid: transcript.sid,
      AccountSid: expect.stringMatching(/^AC/),
      From: '+15550107777',
      To: '+15550100001',
      Body: 'hi & bye',
      NumMedia: '2',
      MediaUrl0: 'https://m.example.com/cat.JPG',
      MediaContentType0: 'image/jpeg',
      MediaUrl1: 'https://m.example.com/doc.pdf?x=1',
      MediaContentType1: 'application/pdf',
    });
    expect(transcript.entries.filter((e) => e.kind === 'message')).toEqual([
      { kind: 'message', to: '+15550107777', from: '+15550100001', body: 'Thanks!', media: [] },
      { kind: 'message', to: '+15550100002', from: '+15550100001', body: 'From +15550107777: hi', media: ['https://m.example.com/a.png'] },
    ]);
  });

  test('like Twilio, sends at most 10 messages of one answer and no body over 1,600 characters, and says so', async () => {
    const many = Array.from({ length: 11 }, (_, i) => `<Message to="+1555090${String(i).padStart(4, '0')}">n${i}</Message>`).join('');
    stack.routes['/twilio/sms'] = `<Response><Message>${'x'.repeat(1601)}</Message>${many}</Response>`;

    const transcript = await simulateSms({ baseUrl: stack.baseUrl, authToken: TOKEN, to: '+15550100001', from: '+15550107777', body: 'hi' });

    expect(transcript.entries.filter((e) => e.kind === 'message').map((e) => (e as { to: string }).to))
      .toEqual(Array.from({ length: 9 }, (_, i) => `+1555090${String(i).padStart(4, '0')}`));
    expect(transcript.entries.filter((e) => e.kind === 'warning').map((e) => (e as { text: string }).text)).toEqual([
      expect.stringContaining('21617'),
      expect.stringContaining('14109'),
      expect.stringContaining('14109'),
    ]);
  });

  test('a text without media is an SM with NumMedia 0; an empty Response sends nothing', async () => {
    const transcript = await simulateSms({ baseUrl: stack.baseUrl, authToken: TOKEN, to: '+15550100001', body: 'hello' });

    expect(transcript.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(singleParam(stack.received[0].params, 'NumMedia')).toBe('0');
    expect(transcript.entries.filter((e) => e.kind === 'message')).toEqual([]);
  });
});

describe('parseTwiml', () => {
  test('reads elements, attributes with entities, text, CDATA and self-closing tags; skips declarations and comments', () => {
    const root = parseTwiml(`<?xml version="1.0" encoding="UTF-8"?>
      <!-- a comment -->
      <Response>
        <Say voice='alice' language="en-US">Fish &amp; chips &#8212; &lt;now&gt;</Say>
        <Gather action="/step?a=1&amp;b=2" numDigits="1"/>
        <Message><Body><![CDATA[a <b> & c]]></Body></Message>
      </Response>`);

    expect(root).toEqual({
      name: 'Response',
      attributes: {},
      children: [
        { name: 'Say', attributes: { voice: 'alice', language: 'en-US' }, children: ['Fish & chips — <now>'] },
        { name: 'Gather', attributes: { action: '/step?a=1&b=2', numDigits: '1' }, children: [] },
        { name: 'Message', attributes: {}, children: [{ name: 'Body', attributes: {}, children: ['a <b> & c'] }] },
      ],
    });
  });

  test('refuses mismatched and unclosed tags', () => {
    expect(() => parseTwiml('<Response><Say>hi</Gather></Response>')).toThrow('</Gather> closes <Say>');
    expect(() => parseTwiml('<Response><Say>hi')).toThrow('never closed');
  });
});
