// The account's Studio flows over the admin API, against the project's Twilio-compatible server (Studio v2
// Flows, through the twilio library's client) and DynamoDB Local: which numbers each flow serves, one flow's
// definition for the import, and the take-over of its numbers by the imported flow (DESIGN.md section 18).
import type { FakeTwilio, StudioFlow } from '../../local/fake-twilio';
import { DEMO_STUDIO_DEFINITION } from '../../local/studio-demo';
import { adminHarness, type AdminHarness } from '../support/admin';
import { fakeCarrier, PUBLIC_URL } from '../support/carrier';
import { dropTestTables } from '../support/dynamo';

const OTHER = { voiceUrl: 'https://old-pbx.example.net/voice', smsUrl: 'https://old-pbx.example.net/sms' };
const ours = { voice: `${PUBLIC_URL}/twilio/voice`, sms: `${PUBLIC_URL}/twilio/sms`, fallback: `${PUBLIC_URL}/twilio/fallback` };

let h: AdminHarness;
let fake: FakeTwilio;
let desk: StudioFlow;
let survey: StudioFlow;
let sales: string;

beforeEach(async () => {
  h = await adminHarness();
  // One flow per page: the library must follow Studio's absolute next_page_url through TWILIO_API_URL.
  const carrier = await fakeCarrier({ pageSize: 1 });
  fake = carrier.fake;
  h.deps.carrier = carrier.link;
  fake.addNumber({ phoneNumber: '+15550400001', friendlyName: 'Front desk', ...OTHER });
  fake.addNumber({ phoneNumber: '+15550400002', friendlyName: 'Desk calls only', ...OTHER });
  fake.addNumber({ phoneNumber: '+15550400003', friendlyName: 'Elsewhere', ...OTHER });
  desk = fake.addStudioFlow('Front desk', DEMO_STUDIO_DEFINITION, { servesNumber: '+15550400001' });
  fake.changeNumber('+15550400002', { voice_url: desk.webhook_url });
  survey = fake.addStudioFlow('Survey', { description: 'Survey', initial_state: 'Trigger', states: [{ name: 'Trigger', type: 'trigger', transitions: [] }] }, { status: 'draft' });
  const ann = (await h.api('POST', '/api/users', { name: 'Ann', phone: '+15550200001' })).body.id;
  sales = (await h.api('POST', '/api/groups', { name: 'Sales', members: [ann] })).body.id;
});
afterEach(async () => {
  await fake.stop();
  await dropTestTables(h.tables);
});

describe('GET /api/carrier/studio-flows', () => {
  test('lists every Studio flow with the numbers whose Voice or Messaging URL is its webhook', async () => {
    const res = await h.api('GET', '/api/carrier/studio-flows');
    expect(res.status).toBe(200);
    expect(res.body.flows).toEqual([
      {
        sid: desk.sid, friendlyName: 'Front desk', status: 'published', revision: 1,
        numbers: [
          { number: '+15550400001', sid: fake.numberFor('+15550400001')!.sid, friendlyName: 'Front desk', voice: true, sms: true },
          { number: '+15550400002', sid: fake.numberFor('+15550400002')!.sid, friendlyName: 'Desk calls only', voice: true, sms: false },
        ],
      },
      { sid: survey.sid, friendlyName: 'Survey', status: 'draft', revision: 1, numbers: [] },
    ]);
    // Two pages of flows, each asked at Studio's own path, with the account's credentials.
    const studio = fake.requests.filter((r) => r.path === '/v2/Flows');
    expect(studio.map((r) => r.query.Page ?? '0')).toEqual(['0', '1']);
    expect(studio[0].auth).toBe(`${fake.accountSid}:${fake.authToken}`);
  });
});

describe('GET /api/carrier/studio-flows/{sid}', () => {
  test('answers the flow with its definition, which the import takes as it is', async () => {
    const res = await h.api('GET', `/api/carrier/studio-flows/${desk.sid}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ sid: desk.sid, friendlyName: 'Front desk', definition: DEMO_STUDIO_DEFINITION });
    const imported = await h.api('POST', '/api/flows/import', { format: 'studio', definition: res.body.definition, name: res.body.friendlyName, mailbox: { group: sales } });
    expect(imported).toMatchObject({ status: 200, body: { document: { name: 'Front desk' }, problems: [] } });
  });

  test('an unknown flow is 404; a SID that is not one is 400 naming it', async () => {
    expect((await h.api('GET', `/api/carrier/studio-flows/FW${'0'.repeat(32)}`)).status).toBe(404);
    const bad = await h.api('GET', '/api/carrier/studio-flows/front-desk');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ path: 'sid', message: expect.stringContaining('front-desk') }]);
  });
});

describe('POST /api/carrier/studio-flows/{sid}/take-over', () => {
  const importDesk = async () =>
    (await h.api('POST', '/api/flows/import', { format: 'studio', definition: DEMO_STUDIO_DEFINITION, mailbox: { group: sales }, create: true })).body.id as string;

  test('assigns the Studio flow’s numbers to the imported flow and points all four URLs here; the others are left alone', async () => {
    await h.api('PUT', '/api/numbers/+15550400002', { name: 'Our name for it' });
    const flowId = await importDesk();
    const res = await h.api('POST', `/api/carrier/studio-flows/${desk.sid}/take-over`, { flowId });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ flowId, numbers: [{ number: '+15550400001', registered: true, connected: true }, { number: '+15550400002', registered: false, connected: true }] });
    expect((await h.api('GET', '/api/numbers/+15550400001')).body).toMatchObject({ name: 'Front desk', flowId, status: 'ok' });
    expect((await h.api('GET', '/api/numbers/+15550400002')).body).toMatchObject({ name: 'Our name for it', flowId, status: 'ok' });
    for (const n of ['+15550400001', '+15550400002']) {
      expect(fake.numberFor(n)).toMatchObject({ voice_url: ours.voice, sms_url: ours.sms, voice_fallback_url: ours.fallback, sms_fallback_url: ours.fallback });
    }
    expect(fake.numberFor('+15550400003')).toMatchObject({ voice_url: OTHER.voiceUrl });
    expect((await h.api('GET', '/api/numbers/+15550400003')).status).toBe(404);
    // Nothing serves the Studio flow any more: a second take-over finds no number.
    expect((await h.api('POST', `/api/carrier/studio-flows/${desk.sid}/take-over`, { flowId })).body).toEqual({ flowId, numbers: [] });
  });

  test('refused with 422 while the flow has checker errors, changing nothing', async () => {
    const flowId = await importDesk();
    // The flow dials +15550200002; once that is one of our own numbers the flow has an error (own_number).
    await h.api('PUT', '/api/numbers/+15550200002', { name: 'Ours now' });
    const res = await h.api('POST', `/api/carrier/studio-flows/${desk.sid}/take-over`, { flowId });
    expect(res.status).toBe(422);
    expect(res.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'own_number' })]));
    expect(fake.numberFor('+15550400001')!.voice_url).toBe(desk.webhook_url);
    expect((await h.api('GET', '/api/numbers/+15550400001')).status).toBe(404);
  });

  test('an unknown flow is 404, a missing flowId 400, and nothing changes', async () => {
    expect((await h.api('POST', `/api/carrier/studio-flows/${desk.sid}/take-over`, { flowId: 'flw_nothere' })).status).toBe(404);
    const missing = await h.api('POST', `/api/carrier/studio-flows/${desk.sid}/take-over`, {});
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: 'flowId' })]);
    expect(fake.numberFor('+15550400001')!.voice_url).toBe(desk.webhook_url);
  });
});
