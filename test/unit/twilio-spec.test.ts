// The test oracle built from Twilio's own API definitions (test/support/twilio-spec.ts): it accepts every
// example answer the definitions give for the resources Switchboard and its Twilio-compatible server use,
// and it finds what the real API would refuse or answer otherwise.
import { twilioSpec, type TwilioExchange } from '../support/twilio-spec';

const spec = twilioSpec();
const AC = `AC${'a'.repeat(32)}`;
const PN = `PN${'b'.repeat(32)}`;
const numbers = `/2010-04-01/Accounts/${AC}/IncomingPhoneNumbers`;

/** The resources the carrier link reads and writes, and that local/fake-twilio.ts serves. */
const USED = /^\/2010-04-01\/Accounts\/\{AccountSid\}\/(IncomingPhoneNumbers(\/\{Sid\})?|Messages)\.json$|^\/v1\/(Services|Trunks)(\/\{\w+\}(\/PhoneNumbers(\/\{Sid\})?)?)?$/;

const request = (x: Partial<TwilioExchange> & Pick<TwilioExchange, 'method' | 'path'>): TwilioExchange => ({ query: {}, form: {}, contentType: x.form ? 'application/x-www-form-urlencoded' : undefined, ...x });

/** A fetched number as Twilio's own example gives it. */
function exampleNumber(): Record<string, unknown> {
  const example = [...spec.answerExamples()].find((e) => e.method === 'GET' && e.path.endsWith('/IncomingPhoneNumbers/{Sid}.json') && e.status === 200)!;
  return structuredClone(example.answer) as Record<string, unknown>;
}
const fetched = (answer: unknown): TwilioExchange => ({ ...request({ method: 'GET', path: `${numbers}/${PN}.json` }), status: 200, answer });

describe('the spec’s own examples pass', () => {
  const examples = [...spec.answerExamples()].filter((e) => USED.test(e.path));

  test('there are examples for every resource used (numbers, messages, services, trunks and their phone numbers)', () => {
    expect(new Set(examples.map((e) => `${e.method} ${e.path}`)).size).toBeGreaterThanOrEqual(20);
  });

  test.each(examples.map((e) => [e.example, e] as const))('%s', (_, e) => {
    expect(spec.answerProblems(e)).toEqual([]);
  });
});

describe('answers', () => {
  test('an unset field written as null where Twilio writes "" (and the other way round)', () => {
    const answer = { ...exampleNumber(), sms_url: null, voice_url: '' };
    expect(spec.answerProblems(fetched(answer))).toEqual([
      expect.stringContaining('sms_url is null where Twilio\'s examples give ""'),
      expect.stringContaining('voice_url is "" where Twilio\'s examples give null'),
      // and "" is no URL, where the examples never write it
      expect.stringContaining('/voice_url must match format "uri"'),
    ]);
  });

  test('a field Twilio always answers, left out', () => {
    const { trunk_sid: _, ...answer } = exampleNumber();
    expect(spec.answerProblems(fetched(answer))).toEqual([expect.stringContaining("must have required property 'trunk_sid'")]);
  });

  test('a field Twilio does not have', () => {
    expect(spec.answerProblems(fetched({ ...exampleNumber(), media_urls: [] }))).toEqual([expect.stringContaining('must NOT have additional properties: media_urls')]);
  });

  test('a SID of the wrong kind, a date in the wrong format', () => {
    const problems = spec.answerProblems(fetched({ ...exampleNumber(), trunk_sid: PN, date_updated: '2026-12-01T09:00:00Z' }));
    expect(problems.join('\n')).toMatch(/trunk_sid must match pattern/);
    expect(problems.join('\n')).toMatch(/date_updated must match format "date-time-rfc-2822"/);
  });

  test('a status the operation never answers; an error that is not Twilio’s error JSON', () => {
    expect(spec.answerProblems({ ...request({ method: 'POST', path: `/2010-04-01/Accounts/${AC}/Messages.json` }), status: 200, answer: {} })).toEqual([expect.stringContaining('answers this operation with 201')]);
    expect(spec.answerProblems({ ...request({ method: 'GET', path: `${numbers}.json` }), status: 400, answer: { code: 20001, message: 'Invalid PageSize', more_info: 'https://www.twilio.com/docs/errors/20001', status: 400 } })).toEqual([]);
    expect(spec.answerProblems({ ...request({ method: 'GET', path: `${numbers}.json` }), status: 400, answer: { error: 'bad' } }).length).toBeGreaterThan(0);
    expect(spec.answerProblems({ ...request({ method: 'GET', path: `${numbers}.json` }), status: 404, answer: { code: 20404, message: 'x', more_info: 'https://www.twilio.com/docs/errors/20404', status: 400 } })).toEqual([expect.stringContaining('error JSON says status 400')]);
  });

  test('a DELETE answers 204 without a body', () => {
    expect(spec.answerProblems({ ...request({ method: 'DELETE', path: `${numbers}/${PN}.json` }), status: 204, answer: undefined })).toEqual([]);
    expect(spec.answerProblems({ ...request({ method: 'DELETE', path: `${numbers}/${PN}.json` }), status: 204, answer: {} })).toEqual([expect.stringContaining('no body')]);
  });
});

describe('requests', () => {
  test('paging: PageSize 1 to 1000, Page from 0, PageToken; filters of the operation only', () => {
    const list = (query: Record<string, string>) => spec.requestProblems(request({ method: 'GET', path: `${numbers}.json`, query }));
    expect(list({ PageSize: '1000', Page: '3', PageToken: 'PAPN0', PhoneNumber: '+15550100001' })).toEqual([]);
    expect(list({ PageSize: '0' })).toEqual([expect.stringContaining('query PageSize must be >= 1')]);
    expect(list({ PageSize: '1001' })).toEqual([expect.stringContaining('query PageSize must be <= 1000')]);
    expect(list({ PageSize: 'ten' })).toEqual([expect.stringContaining('query PageSize must be integer')]);
    expect(list({ To: '+15550100001' })).toEqual([expect.stringContaining('unknown query parameter To')]);
  });

  test('path SIDs of their kind; paths Twilio does not have', () => {
    expect(spec.requestProblems(request({ method: 'GET', path: `${numbers}/${PN}.json` }))).toEqual([]);
    expect(spec.requestProblems(request({ method: 'GET', path: `${numbers}/MG${'b'.repeat(32)}.json` }))).toEqual([expect.stringContaining('path parameter Sid must match pattern "^PN')]);
    expect(spec.requestProblems(request({ method: 'GET', path: `/2010-04-01/Accounts/${AC}/Numbers.json` }))).toEqual([expect.stringContaining('no such operation')]);
    expect(spec.requestProblems(request({ method: 'PUT', path: `${numbers}/${PN}.json` }))).toEqual([expect.stringContaining('no such operation')]);
  });

  test('form fields: known names, their types and patterns, required ones, sent as a form', () => {
    const update = (form: Record<string, string[]>, contentType = 'application/x-www-form-urlencoded') => spec.requestProblems(request({ method: 'POST', path: `${numbers}/${PN}.json`, form, contentType }));
    expect(update({ VoiceUrl: ['https://calls.example.com/twilio/voice'], VoiceMethod: ['POST'], VoiceCallerIdLookup: ['true'] })).toEqual([]);
    expect(update({ VoiceURL: ['https://calls.example.com/twilio/voice'] })).toEqual([expect.stringContaining('unknown form field VoiceURL')]);
    expect(update({ VoiceMethod: ['PUT'] })).toEqual([expect.stringContaining('form VoiceMethod must be equal to one of the allowed values')]);
    expect(update({ VoiceCallerIdLookup: ['yes'] })).toEqual([expect.stringContaining('form VoiceCallerIdLookup must be boolean')]);
    expect(update({ TrunkSid: [`AP${'c'.repeat(32)}`] })).toEqual([expect.stringContaining('form TrunkSid must match pattern "^TK')]);
    expect(update({ VoiceUrl: ['https://a.example/1', 'https://a.example/2'] })).toEqual([expect.stringContaining('VoiceUrl sent 2 times')]);
    expect(update({ VoiceUrl: ['https://a.example/1'] }, 'application/json')).toEqual([expect.stringContaining('form fields sent as application/json')]);
    // An update clears a field with "", Twilio's convention (detaching a TwiML app).
    expect(update({ VoiceApplicationSid: [''], SmsApplicationSid: [''], TrunkSid: [''] })).toEqual([]);
  });

  test('a create needs its required fields, and "" is not a value there', () => {
    const send = (form: Record<string, string[]>) => spec.requestProblems(request({ method: 'POST', path: `/2010-04-01/Accounts/${AC}/Messages.json`, form }));
    expect(send({ To: ['+15550200001'], From: ['+15550100001'], Body: ['Hi'], MediaUrl: ['https://example.com/a.jpg', 'https://example.com/b.jpg'] })).toEqual([]);
    expect(send({ From: ['+15550100001'], Body: ['Hi'] })).toEqual([expect.stringContaining("must have required property 'To'")]);
    expect(send({ To: ['+15550200001'], MessagingServiceSid: [''], Body: ['Hi'] })).toEqual([expect.stringContaining('MessagingServiceSid must')]);
    const join = spec.requestProblems(request({ method: 'POST', path: `/v1/Services/MG${'d'.repeat(32)}/PhoneNumbers`, form: { PhoneNumberSid: ['PN1'] } }));
    expect(join.join('\n')).toMatch(/PhoneNumberSid must/);
  });
});
