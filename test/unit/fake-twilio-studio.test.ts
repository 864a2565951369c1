// The Twilio-compatible server's Studio v2 Flows answer as Twilio's own OpenAPI definition says they do
// (twilio-oai's twilio_studio_v2.json, shipped in @twilio-alpha/mcp): every field of a Flow with its type,
// format and enum, the list's `flows` and `meta` paging with absolute URLs, and Twilio's error for an
// unknown flow. What the import reads of the account is thus what Twilio would send.
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { startFakeTwilio, type FakeTwilio } from '../../local/fake-twilio';
import { DEMO_STUDIO_DEFINITION } from '../../local/studio-demo';

type Schema = Record<string, unknown>;
const spec = JSON.parse(readFileSync(require.resolve('@twilio-alpha/mcp/twilio-oai/spec/json/twilio_studio_v2.json'), 'utf8')) as {
  paths: Record<string, { get: { responses: Record<string, { content: Record<string, { schema: Schema }> }> } }>;
  components: { schemas: Record<string, Schema> };
};

/** OpenAPI 3.0's `nullable` as JSON Schema's null type; every object closed, so a field Twilio does not send fails. */
function jsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(jsonSchema);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Schema & { nullable?: boolean };
  const out: Schema = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, k === 'properties' ? Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, jsonSchema(s)])) : jsonSchema(v)]));
  if (typeof out.$ref === 'string') out.$ref = out.$ref.replace('#/components/schemas/', 'studio#/components/schemas/');
  if (out.type === 'object' && out.properties) out.additionalProperties = false;
  // Twilio's "uri-map": an object of URLs (a JSON Schema format applies to strings only).
  if (out.format === 'uri-map') {
    delete out.format;
    out.additionalProperties = { type: 'string', format: 'uri' };
  }
  if (!nullable) return out;
  if (out.type) return { ...out, type: [out.type, 'null'], ...(out.enum ? { enum: [...(out.enum as unknown[]), null] } : {}) };
  return out.$ref ? { anyOf: [{ $ref: out.$ref }, { type: 'null' }] } : out;
}

const ajv = new Ajv({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema({ components: { schemas: jsonSchema(spec.components.schemas) } }, 'studio');
const answer = (path: string, status = '200') => ajv.compile(jsonSchema(spec.paths[path].get.responses[status].content['application/json'].schema) as Schema);

let fake: FakeTwilio;
beforeAll(async () => {
  fake = await startFakeTwilio();
  fake.addNumber({ phoneNumber: '+15550500001' });
  fake.addStudioFlow('Front desk', DEMO_STUDIO_DEFINITION, { servesNumber: '+15550500001' });
  fake.addStudioFlow('Survey', { description: 'Survey', states: [], initial_state: 'Trigger' }, { status: 'draft' });
});
afterAll(() => fake.stop());

const get = async (path: string) => {
  const res = await fetch(`${fake.url}${path}`, { headers: { authorization: `Basic ${Buffer.from(`${fake.accountSid}:${fake.authToken}`).toString('base64')}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test('GET /v2/Flows is Twilio’s list: flows without definitions, meta paging with absolute URLs', async () => {
  const { status, body } = await get('/v2/Flows?PageSize=1');
  expect(status).toBe(200);
  const valid = answer('/v2/Flows');
  expect(valid(body) ? [] : valid.errors).toEqual([]);
  expect(body.flows).toEqual([expect.objectContaining({ friendly_name: 'Front desk', definition: null })]);
  expect((body.meta as { next_page_url: string }).next_page_url).toMatch(/^https:\/\/studio\.twilio\.com\/v2\/Flows\?PageSize=1&Page=1&PageToken=PA/);
});

test('GET /v2/Flows/{Sid} is Twilio’s Flow, with its definition and webhook URL', async () => {
  const sid = (await get('/v2/Flows')).body.flows as Array<{ sid: string }>;
  const { status, body } = await get(`/v2/Flows/${sid[0].sid}`);
  expect(status).toBe(200);
  const valid = answer('/v2/Flows/{Sid}');
  expect(valid(body) ? [] : valid.errors).toEqual([]);
  // The definition is strict enough to tell: a field Twilio does not send, or one of the wrong type, fails.
  expect([valid({ ...body, colour: 'red' }), valid({ ...body, revision: '1' }), valid({ ...body, status: 'live' })]).toEqual([false, false, false]);
  expect(body).toMatchObject({ definition: DEMO_STUDIO_DEFINITION, webhook_url: `https://webhooks.twilio.com/v1/Accounts/${fake.accountSid}/Flows/${sid[0].sid}` });
  expect(fake.numberFor('+15550500001')).toMatchObject({ voice_url: body.webhook_url, sms_url: body.webhook_url });
});

test('an unknown flow is Twilio’s 404 (error 20404); without credentials, 401', async () => {
  expect(await get(`/v2/Flows/FW${'0'.repeat(32)}`)).toEqual({ status: 404, body: expect.objectContaining({ code: 20404, status: 404 }) });
  expect((await fetch(`${fake.url}/v2/Flows`)).status).toBe(401);
});
