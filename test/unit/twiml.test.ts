// TwiML rendering: what Twilio must receive for each instruction (TWILIO.md), asserted on the XML.
import { startCall } from '../../lambdas/flows/call-engine';
import { screenPrompt, screenResult, type CallInstruction, type DialInstruction, type RecordInstruction } from '../../lambdas/flows/call-instructions';
import { encodeState, type CallState } from '../../lambdas/flows/call-state';
import type { EnginePorts } from '../../lambdas/flows/engine';
import { partSchema } from '../../lambdas/flows/schema';
import { emptyMessagingTwiml, renderCall, renderSms, safeVoiceTwiml, type CallUrls } from '../../lambdas/twilio/twiml';

const BASE = 'https://calls.example.com/twilio';
const urls: CallUrls = {
  action: (state: CallState) => `${BASE}/step?${new URLSearchParams({ flow: 'f1', rev: '3', ...encodeState(state) })}`,
  screen: `${BASE}/screen?caller=%2B15550107777`,
  recordingStatus: (r: RecordInstruction) => `${BASE}/recording?mailbox=${r.mailbox.kind}-${r.mailbox.id}`,
  transcription: (r: RecordInstruction) => `${BASE}/transcription?mailbox=${r.mailbox.kind}-${r.mailbox.id}`,
};
const render = (...instructions: CallInstruction[]) => renderCall(instructions, urls);

const menuState: CallState = { step: 'menu', applet: 'menu', attempt: 2 };
const dialState: CallState = { step: 'dial', applet: 'sales', pos: 1 };
const dial = (over: Partial<DialInstruction> = {}): DialInstruction => ({
  kind: 'dial',
  targets: [{ kind: 'number', value: '+15550100011', userId: 'ann' }, { kind: 'client', value: 'bob', userId: 'bob' }],
  timeoutSeconds: 25,
  callerId: 'caller',
  record: false,
  screen: false,
  action: dialState,
  ...over,
});
const record = (over: Partial<RecordInstruction> = {}): RecordInstruction => ({
  kind: 'record', maxSeconds: 90, transcribe: false, notify: { sms: false, email: false }, mailbox: { kind: 'group', id: 'sales' }, action: { step: 'voicemail', applet: 'vm' }, ...over,
});

/** The action URL as it appears in an XML attribute or text (& escaped). */
const inXml = (url: string) => url.replace(/&/g, '&amp;');

describe('renderCall', () => {
  test('nothing to do is an empty <Response/>', () => {
    expect(render()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  test('a spoken prompt is <Say> with voice, language and loop; text is escaped', () => {
    const xml = render({ kind: 'say', prompt: { text: 'Tom & Jerry <3', voice: 'Polly.Joanna', language: 'en-US' }, loop: 2 });
    expect(xml).toContain('<Say loop="2" voice="Polly.Joanna" language="en-US">Tom &amp; Jerry &lt;3</Say>');
  });

  test('a single spoken prompt carries no loop, voice or language it was not given', () => {
    expect(render({ kind: 'say', prompt: { text: 'Hello' }, loop: 1 })).toContain('<Say>Hello</Say>');
  });

  test('an audio prompt is <Play>', () => {
    expect(render({ kind: 'say', prompt: { play: 'https://cdn.example/hi.mp3' }, loop: 3 })).toContain('<Play loop="3">https://cdn.example/hi.mp3</Play>');
  });

  test('a gather takes one key, by keypad, posts to the action URL, with the prompt inside; the redirect follows it', () => {
    const xml = render(
      { kind: 'gather', prompt: { text: 'Press 1.' }, timeoutSeconds: 7, action: menuState },
      { kind: 'redirect', to: menuState },
    );

    const action = inXml(urls.action(menuState));
    expect(xml).toContain(`<Gather input="dtmf" numDigits="1" timeout="7" finishOnKey="" action="${action}" method="POST"><Say>Press 1.</Say></Gather>`);
    expect(xml).toContain(`</Gather><Redirect method="POST">${action}</Redirect>`);
    expect(action).toContain('step=menu&amp;applet=menu&amp;attempt=2');
  });

  test('a dial posts its result to the action URL with the ring timeout; callerId "caller" leaves Twilio’s default', () => {
    const xml = render(dial());

    expect(xml).toContain(`<Dial action="${inXml(urls.action(dialState))}" method="POST" timeout="25">`);
    expect(xml).toContain('<Number>+15550100011</Number><Client>bob</Client></Dial>');
    expect(xml).not.toContain('callerId');
    expect(xml).not.toContain('answerOnBridge');
    expect(xml).not.toContain('record=');
  });

  test('a dial shows the flow’s number as caller id when asked', () => {
    expect(render(dial({ callerId: '+15550100001' }))).toContain('callerId="+15550100001"');
  });

  test('a screened dial answers on bridge and runs the whisper URL on every callee', () => {
    const xml = render(dial({ screen: true }));

    expect(xml).toContain('answerOnBridge="true"');
    const screen = inXml(urls.screen!);
    expect(xml).toContain(`<Number url="${screen}" method="POST">+15550100011</Number>`);
    expect(xml).toContain(`<Client url="${screen}" method="POST">bob</Client>`);
  });

  test('a screened dial without a screening URL is a programming error', () => {
    expect(() => renderCall([dial({ screen: true })], { ...urls, screen: undefined })).toThrow(/screen/);
  });

  test('a recorded dial records both legs from the answer', () => {
    expect(render(dial({ record: true }))).toContain('record="record-from-answer-dual"');
  });

  test('a dial never carries more than 10 nouns', () => {
    const targets = Array.from({ length: 12 }, (_, i) => ({ kind: 'number' as const, value: `+1555020000${i}` }));
    expect(render(dial({ targets })).match(/<Number>/g)).toHaveLength(10);
  });

  test('a record has its action, length, beep and recording status callback', () => {
    const xml = render(record());

    expect(xml).toContain(`action="${inXml(urls.action({ step: 'voicemail', applet: 'vm' }))}"`);
    expect(xml).toContain('maxLength="90"');
    expect(xml).toContain('playBeep="true"');
    expect(xml).toContain(`recordingStatusCallback="${BASE}/recording?mailbox=group-sales"`);
    expect(xml).not.toContain('transcribe');
  });

  test('a transcribed record names its transcription callback', () => {
    const xml = render(record({ transcribe: true }));
    expect(xml).toContain(`transcribe="true" transcribeCallback="${BASE}/transcription?mailbox=group-sales"`);
  });

  test('hangup is <Hangup/>', () => {
    expect(render({ kind: 'hangup' })).toContain('<Response><Hangup/></Response>');
  });

  test('an engine answer renders in order: greeting, then the menu', async () => {
    const part = partSchema.parse({
      start: 'greet',
      applets: {
        greet: { type: 'say', prompt: { text: 'Welcome.' }, next: 'menu' },
        menu: { type: 'menu', prompt: { text: 'Press 1.' }, options: { '1': 'bye' }, fallback: 'bye' },
        bye: { type: 'hangup' },
      },
    });
    const ports = {} as EnginePorts;
    const result = await startCall(part, { now: new Date(), from: '+15550107777', to: '+15550100001', directory: { users: new Map(), groups: new Map(), flowIds: new Set() }, ports });

    const xml = renderCall(result.instructions, urls);

    expect(xml).toMatch(/<Response><Say>Welcome\.<\/Say><Gather [^>]*><Say>Press 1\.<\/Say><\/Gather><Redirect [^>]*>[^<]*attempt=1<\/Redirect><\/Response>$/);
  });
});

describe('screening', () => {
  test('the whisper gathers one key posted back to the same URL, and hangs up without one', () => {
    const xml = render(...screenPrompt('+15550107777'));

    expect(xml).toContain('<Gather input="dtmf" numDigits="1" timeout="10" finishOnKey=""><Say>Call from 1 5 5 5 0 1 0 7 7 7 7. Press 1 to accept.</Say></Gather><Hangup/>');
    expect(xml).not.toContain('action=');
  });

  test('accepting answers an empty response (the call is bridged); declining hangs up', () => {
    expect(render(...screenResult('1'))).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(render(...screenResult('9'))).toContain('<Hangup/>');
  });
});

describe('safeVoiceTwiml', () => {
  test('apologises and records a message into the unrouted mailbox through the given URLs', () => {
    const xml = safeVoiceTwiml({ recordAction: `${BASE}/unrouted-recording?x=1&y=2`, recordingStatus: `${BASE}/recording?mailbox=unrouted` });

    expect(xml).toMatch(/<Response><Say>Sorry[^<]*<\/Say><Record [^>]*\/><Hangup\/><\/Response>$/);
    expect(xml).toContain(`action="${BASE}/unrouted-recording?x=1&amp;y=2"`);
    expect(xml).toContain(`recordingStatusCallback="${BASE}/recording?mailbox=unrouted"`);
    expect(xml).toContain('maxLength="120"');
  });
});

describe('renderSms', () => {
  test('replies to the sender and notifications to members, each a <Message> with <Body> and <Media>', () => {
    const xml = renderSms({
      replies: [
        { body: 'Thanks & welcome', media: ['https://cdn.example/a.png', 'https://cdn.example/b.png'] },
        { to: '+15550100011', body: 'From +15550107777: hi' },
      ],
    });

    expect(xml).toContain('<Message><Body>Thanks &amp; welcome</Body><Media>https://cdn.example/a.png</Media><Media>https://cdn.example/b.png</Media></Message>');
    expect(xml).toContain('<Message to="+15550100011"><Body>From +15550107777: hi</Body></Message>');
  });

  test('a forward is a <Message to> with the body and the media', () => {
    const xml = renderSms({ replies: [], forward: { to: '+15550109999', body: 'From +15550107777: photo', media: ['https://api.twilio.com/m/1'] } });
    expect(xml).toContain('<Message to="+15550109999"><Body>From +15550107777: photo</Body><Media>https://api.twilio.com/m/1</Media></Message>');
  });

  test('media without text has no empty <Body>', () => {
    expect(renderSms({ replies: [{ body: '', media: ['https://cdn.example/a.png'] }] })).toContain('<Message><Media>https://cdn.example/a.png</Media></Message>');
  });

  test('nothing to send is an empty <Response/>', () => {
    expect(renderSms({ replies: [] })).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(emptyMessagingTwiml()).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });
});

describe('what Twilio would refuse never reaches the XML', () => {
  const messages = (xml: string) => xml.match(/<Message[ >]/g) ?? [];

  test('never more than 10 <Message> elements, and the forward is the one kept', () => {
    const replies = Array.from({ length: 12 }, (_, i) => ({ to: `+1555090${String(i).padStart(4, '0')}`, body: `n${i}` }));
    expect(messages(renderSms({ replies }))).toHaveLength(10);
    const xml = renderSms({ replies, forward: { to: '+15550109999', body: 'fwd' } });
    expect(messages(xml)).toHaveLength(10);
    expect(xml).toContain('<Message to="+15550109999"><Body>fwd</Body></Message>');
    expect(xml).not.toContain('<Body>n9</Body>');
  });

  test('a prompt of a revision saved before control characters were refused still renders (cleaned)', () => {
    // The builder throws on U+0007; every call to that flow used to hear the apology.
    const xml = render({ kind: 'say', prompt: { text: 'Ding\u0007 dong\u000B!' }, loop: 1 });
    expect(xml).toBe('<?xml version="1.0" encoding="UTF-8"?><Response><Say>Ding dong !</Say></Response>');
  });

  test('a message body with a control character renders, cleaned', () => {
    expect(renderSms({ replies: [{ body: 'a\u0001b' }] })).toContain('<Body>ab</Body>');
  });
});
