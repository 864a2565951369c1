// The carrier link's small fetch client sends what the twilio library's own REST client sends: the same
// server receives both, request by request (method, path, query, form fields, content type, Basic auth).
// The library is loaded whole here, in a test; lambdas/ never imports it (docs/decisions.md).
import twilio from 'twilio';
import RequestClient from 'twilio/lib/base/RequestClient';
import { startFakeTwilio, type FakeTwilio, type RecordedRequest } from '../../local/fake-twilio';
import { TwilioRestClient } from '../../lambdas/carrier/twilio-rest';
import { connectUpdate, webhookUrls } from '../../lambdas/carrier/numbers';

let fake: FakeTwilio;
let ours: TwilioRestClient;
let library: ReturnType<typeof twilio>;

beforeAll(async () => {
  fake = await startFakeTwilio();
  for (let i = 1; i <= 3; i++) fake.addNumber({ phoneNumber: `+1555030000${i}` });
  ours = new TwilioRestClient({ accountSid: fake.accountSid, authToken: fake.authToken }, { baseUrl: fake.url, pageSize: 2 });
  // The library's own transport, only pointed at the fake instead of api.twilio.com.
  const transport = new RequestClient();
  library = twilio(fake.accountSid, fake.authToken, {
    httpClient: { request: (opts: Parameters<RequestClient['request']>[0]) => transport.request({ ...opts, uri: opts.uri.replace('https://api.twilio.com', fake.url) }) } as unknown as RequestClient,
  });
});
afterAll(() => fake.stop());

/** What both clients must agree on; PageToken is random per answer, so it is compared by presence. */
const shape = (r: RecordedRequest) => ({
  method: r.method,
  path: r.path,
  query: { ...r.query, ...(r.query.PageToken && { PageToken: 'present' }) },
  form: r.form,
  contentType: r.method === 'POST' ? r.contentType : undefined,
  auth: r.auth,
});

async function requestsOf(run: () => Promise<unknown>): Promise<ReturnType<typeof shape>[]> {
  const from = fake.requests.length;
  await run();
  return fake.requests.slice(from).map(shape);
}

const account = () => library.api.v2010.accounts(fake.accountSid);

test('listing the numbers, page after page, follows next_page_uri as the library does', async () => {
  const mine = await requestsOf(() => ours.listIncomingPhoneNumbers());
  const theirs = await requestsOf(() => account().incomingPhoneNumbers.list({ pageSize: 2 }));
  expect(mine).toHaveLength(2);
  expect(mine).toEqual(theirs);
  expect(mine[0].auth).toBe(`${fake.accountSid}:${fake.authToken}`);
});

test('pointing a number here sends the library’s form fields for the four URLs, their methods and the app SIDs', async () => {
  const sid = fake.listNumbers()[0].sid;
  const urls = webhookUrls('https://calls.example.com');
  const update = connectUpdate(urls);
  const mine = await requestsOf(() => ours.updateIncomingPhoneNumber(sid, update));
  const theirs = await requestsOf(() =>
    account().incomingPhoneNumbers(sid).update({
      voiceUrl: urls.voice, voiceMethod: 'POST', voiceFallbackUrl: urls.fallback, voiceFallbackMethod: 'POST', voiceApplicationSid: '',
      smsUrl: urls.sms, smsMethod: 'POST', smsFallbackUrl: urls.fallback, smsFallbackMethod: 'POST', smsApplicationSid: '',
    }),
  );
  expect(mine).toEqual(theirs);
  expect(Object.keys(mine[0].form).sort()).toEqual(Object.keys(update).sort());
});

test('sending a text (with media) is the library’s Messages create', async () => {
  const message = { to: '+15550200001', from: '+15550300001', body: 'Thanks for calling: https://example.com/hours', mediaUrl: ['https://example.com/a.jpg', 'https://example.com/b.png'] };
  const mine = await requestsOf(() => ours.createMessage(message));
  const theirs = await requestsOf(() => account().messages.create(message));
  expect(mine).toEqual(theirs);
  expect(mine[0].form.MediaUrl).toEqual(message.mediaUrl);
});

test('deleting a recording and a message is the library’s remove; one already gone is not an error', async () => {
  const recording = `RE${'a'.repeat(32)}`;
  const message = `SM${'b'.repeat(32)}`;
  const mine = await requestsOf(async () => {
    await ours.deleteRecording(recording);
    await ours.deleteMessage(message);
  });
  fake.deletedRecordings.clear();
  fake.deletedMessages.clear();
  const theirs = await requestsOf(async () => {
    await account().recordings(recording).remove();
    await account().messages(message).remove();
  });
  expect(mine).toEqual(theirs);
  // Gone already (deleted above): the library throws a 404, ours carries on.
  await expect(ours.deleteRecording(recording)).resolves.toBeUndefined();
  await expect(account().recordings(recording).remove()).rejects.toMatchObject({ status: 404 });
});

test("a recording's media is read from the library's recording resource path with the account's credentials, as audio", async () => {
  const recording = `RE${'c'.repeat(32)}`;
  const mine = await requestsOf(() => ours.fetchRecording(recording, 'wav'));
  // The library has no media method: its resource's own URI, with Twilio's documented .wav suffix.
  const uri = (account().recordings(recording) as unknown as { _uri: string })._uri;
  expect(mine).toEqual([{ method: 'GET', path: `/2010-04-01${uri.replace(/\.json$/, '')}.wav`, query: {}, form: {}, contentType: undefined, auth: `${fake.accountSid}:${fake.authToken}` }]);
  const media = await ours.fetchRecording(recording, 'wav');
  expect(media.contentType).toBe('audio/x-wav');
  expect(media.data.subarray(0, 4).toString('ascii')).toBe('RIFF');
  expect(media.data.subarray(8, 12).toString('ascii')).toBe('WAVE');
});
