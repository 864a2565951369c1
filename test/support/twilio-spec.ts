// Twilio's own OpenAPI definitions (twilio-oai, shipped by @twilio-alpha/mcp) as a test oracle: given a
// request as it went over the wire (method, path, query, form fields) or an answer (status, JSON), the
// problems the real API would have with it, or that a client written against the real API would meet.
//
// OpenAPI 3.0 is not JSON Schema, and Twilio's definitions have their own habits, so each operation's
// schemas are rewritten before ajv sees them (every choice checked by the spec's own examples, which must
// pass: test/unit/twilio-spec.test.ts):
// - `$ref`s are inlined per operation, `nullable: true` becomes `anyOf [schema, null]`, `x-*` keys go;
// - Twilio's formats: `uri` holds relative URIs too (`first_page_uri`), `date-time-rfc-2822`, `phone-number`…;
// - an answer carries every property of its schema that the examples carry there (Twilio answers null
//   rather than leaving one out), and no field that is neither in the schema nor in the examples there;
// - an empty field is `""` or `null` as the spec's examples give it at that place (`sms_application_sid: ""`,
//   `trunk_sid: null`), and a `""` the examples show passes the field's pattern (it means "not set");
// - a form field is decoded by its schema's type (repeated fields are arrays); an unknown field is a
//   problem (Twilio ignores it silently: a misspelled field is a setting that never arrives);
// - an update (POST to one resource) may send `""` for an optional field: Twilio's way to clear it;
// - answers with a status the operation does not define must be Twilio's error JSON, which the
//   definitions leave out: `{ code, message, more_info, status }`, `status` the HTTP status.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const SPEC_DIR = path.join(__dirname, '..', '..', 'node_modules', '@twilio-alpha', 'mcp', 'twilio-oai', 'spec', 'json');
/** The definitions of the APIs the carrier link and the Twilio-compatible server speak. */
export const SPEC_FILES = ['twilio_api_v2010.json', 'twilio_messaging_v1.json', 'twilio_trunking_v1.json', 'twilio_numbers_v2.json', 'twilio_studio_v2.json'];

/** One request and, once answered, its answer: what the Twilio-compatible server records (local/fake-twilio.ts). */
export interface TwilioExchange {
  method: string;
  path: string;
  query: Record<string, string>;
  form: Record<string, string[]>;
  contentType?: string;
  status?: number;
  answer?: unknown;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- OpenAPI schema objects, walked generically

interface Spec {
  file: string;
  doc: Schema;
}

interface Operation {
  spec: Spec;
  template: string;
  method: string;
  op: Schema;
  params: Schema[];
  match: RegExp;
  names: string[];
  /** Literal characters of the template: the more, the more specific (`/v1/Services/Usecases` before `/v1/Services/{Sid}`). */
  literal: number;
}

/** Where in a JSON value: property names, `[]` for every element of an array. */
type Place = string;
const child = (at: Place, key: string) => (at ? `${at}.${key}` : key);
const items = (at: Place) => `${at}[]`;

/** What the examples of one answer say: the keys seen at each place, and how an empty value is written there. */
interface Examples {
  /** Keys any example has at the place, and those every example has there. */
  keys: Map<Place, Set<string>>;
  always: Map<Place, Set<string>>;
  empty: Map<Place, '' | null | 'both'>;
}

const RFC_2822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/;

export const TWILIO_ERROR_SCHEMA: Schema = {
  type: 'object',
  required: ['code', 'message', 'more_info', 'status'],
  properties: { code: { type: 'integer' }, message: { type: 'string' }, more_info: { type: 'string', format: 'uri' }, status: { type: 'integer' } },
  additionalProperties: false,
};

function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, validateFormats: true });
  addFormats(ajv, ['date-time', 'date']);
  // Twilio's `uri` fields hold absolute URLs and, on the 2010 API, paths relative to api.twilio.com.
  ajv.addFormat('uri', (s: string) => /^\/\S*$/.test(s) || URL.canParse(s));
  ajv.addFormat('date-time-rfc-2822', RFC_2822);
  // E.164 (`+15550100001`, and the examples' short `+987654321`) or a channel address (`whatsapp:+1…`,
  // `client:ann`); a list filter may be partial, with `*` for any digit (IncomingPhoneNumbers' PhoneNumber).
  ajv.addFormat('phone-number', /^(\+?[0-9*]{1,15}|[a-z-]+:\S+)$/);
  ajv.addFormat('http-method', /^(HEAD|GET|POST|PATCH|PUT|DELETE)$/);
  ajv.addFormat('iso-country-code', /^[A-Z]{2}$/);
  ajv.addFormat('currency', /^[A-Za-z]{3}$/);
  ajv.addFormat('int64', true);
  for (const free of ['uri-map', 'string-map', 'phone-number-capabilities', 'endpoint', 'twiml', 'ice-server']) ajv.addFormat(free, true);
  return ajv;
}

export class TwilioSpec {
  private readonly operations: Operation[] = [];
  private readonly ajv = newAjv();
  private readonly compiled = new Map<string, { validate: ValidateFunction; examples?: Examples }>();

  constructor(files: readonly string[] = SPEC_FILES) {
    for (const file of files) {
      const spec = { file, doc: JSON.parse(readFileSync(path.join(SPEC_DIR, file), 'utf8')) as Schema };
      for (const [template, item] of Object.entries(spec.doc.paths as Record<string, Schema>)) {
        const names: string[] = [];
        const pattern = template
          .split(/(\{[^}]+\})/)
          .map((part) => {
            const name = /^\{([^}]+)\}$/.exec(part)?.[1];
            if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            names.push(name);
            return '([^/]+)';
          })
          .join('');
        for (const method of ['get', 'post', 'delete', 'put', 'patch']) {
          const op = item[method] as Schema | undefined;
          if (!op) continue;
          const params = [...((item.parameters as Schema[]) ?? []), ...((op.parameters as Schema[]) ?? [])];
          this.operations.push({ spec, template, method: method.toUpperCase(), op, params, match: new RegExp(`^${pattern}$`), names, literal: template.replace(/\{[^}]+\}/g, '').length });
        }
      }
    }
  }

  /** The operation a request is for: the most specific template of the method that matches the path. */
  operation(method: string, path: string): Operation | undefined {
    return this.operations
      .filter((o) => o.method === method.toUpperCase() && o.match.test(path))
      .sort((a, b) => b.literal - a.literal)[0];
  }

  /** What is wrong with a request, in words naming the field; [] when the spec has no objection. */
  requestProblems(req: Pick<TwilioExchange, 'method' | 'path' | 'query' | 'form' | 'contentType'>): string[] {
    // A recording's media: twilio-oai describes the JSON resource only; the media is the same GET with
    // Twilio's documented .wav or .mp3 suffix, so the request is checked as that fetch.
    const media = recordingMedia(req);
    if (media) return this.requestProblems({ ...req, path: media });
    const where = `${req.method} ${req.path}`;
    const op = this.operation(req.method, req.path);
    if (!op) return [`${where}: no such operation in Twilio's API definitions`];
    const problems: string[] = [];
    const values = op.match.exec(req.path)!.slice(1).map(decodeURIComponent);
    op.names.forEach((name, i) => {
      const param = op.params.find((p) => p.in === 'path' && p.name === name);
      if (param) problems.push(...this.check(`${op.spec.file} ${op.method} ${op.template} path ${name}`, this.deref(op.spec, param.schema), values[i]).map((m) => `${where}: path parameter ${name} ${m}`));
    });
    const queryParams = op.params.filter((p) => p.in === 'query');
    for (const [name, value] of Object.entries(req.query)) {
      const param = queryParams.find((p) => p.name === name);
      if (!param) {
        problems.push(`${where}: unknown query parameter ${name}`);
        continue;
      }
      const schema = this.deref(op.spec, param.schema);
      problems.push(...this.check(`${op.spec.file} ${op.method} ${op.template} query ${name}`, schema, decode(schema, [value])).map((m) => `${where}: query ${name} ${m}`));
    }
    for (const param of queryParams) if (param.required && req.query[param.name] === undefined) problems.push(`${where}: query ${param.name} is required`);

    const form = Object.keys(req.form);
    const body = op.op.requestBody?.content?.['application/x-www-form-urlencoded']?.schema as Schema | undefined;
    if (!body) {
      if (form.length) problems.push(`${where}: takes no form fields, got ${form.join(', ')}`);
      return problems;
    }
    if (form.length && !/^application\/x-www-form-urlencoded\b/i.test(req.contentType ?? '')) problems.push(`${where}: form fields sent as ${req.contentType ?? 'no content type'}`);
    const schema = this.deref(op.spec, body);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const decoded: Record<string, Json> = {};
    for (const name of form) {
      const property = properties[name];
      if (!property) {
        problems.push(`${where}: unknown form field ${name}`);
        continue;
      }
      if (property.type !== 'array' && req.form[name].length > 1) problems.push(`${where}: form field ${name} sent ${req.form[name].length} times`);
      decoded[name] = decode(property, req.form[name]);
    }
    // An update clears an optional field with "": Twilio's convention, which the definitions' patterns leave out.
    const isUpdate = op.method === 'POST' && /\}(\.json)?$/.test(op.template);
    for (const [name, value] of Object.entries(decoded)) {
      if (isUpdate && value === '' && !(schema.required ?? []).includes(name)) delete decoded[name];
    }
    const known = Object.fromEntries(Object.entries(decoded).filter(([name]) => properties[name]));
    problems.push(...this.check(`${op.spec.file} ${op.method} ${op.template} form`, { ...schema, additionalProperties: true }, known).map((m) => `${where}: form ${m}`));
    return problems;
  }

  /** What is wrong with an answer to `req`; [] when it is what Twilio answers. */
  answerProblems(req: TwilioExchange): string[] {
    const where = `${req.method} ${req.path} → ${req.status}`;
    // Media is audio, not JSON (the server records no JSON answer for it); a refusal is Twilio's error JSON.
    if (recordingMedia(req)) {
      if (req.status === 200) return req.answer === undefined ? [] : [`${where}: media answers audio, not JSON`];
      return this.answerProblems({ ...req, path: recordingMedia(req)! });
    }
    const op = this.operation(req.method, req.path);
    if (!op) return [`${where}: no such operation in Twilio's API definitions`];
    const status = String(req.status);
    const response = (op.op.responses as Record<string, Schema>)[status];
    if (!response) {
      if ((req.status ?? 0) < 400) return [`${where}: Twilio answers this operation with ${Object.keys(op.op.responses).join(' or ')}`];
      const problems = this.check('twilio-error', TWILIO_ERROR_SCHEMA, req.answer as Json).map((m) => `${where}: error ${m}`);
      if ((req.answer as { status?: unknown })?.status !== req.status) problems.push(`${where}: error JSON says status ${(req.answer as { status?: unknown })?.status}`);
      return problems;
    }
    const content = response.content?.['application/json'] as Schema | undefined;
    if (!content) return req.answer === undefined ? [] : [`${where}: Twilio answers no body here`];
    const key = `${op.spec.file} ${op.method} ${op.template} ${status}`;
    let entry = this.compiled.get(key);
    if (!entry) {
      const examples = examplesOf(content);
      const schema = answerSchema(this.deref(op.spec, content.schema), examples, '');
      entry = { validate: this.ajv.compile(schema), examples };
      this.compiled.set(key, entry);
    }
    const problems: string[] = [];
    if (entry.examples) walkEmpties(req.answer as Json, '', entry.examples, problems);
    if (!entry.validate(req.answer)) problems.push(...summarize(entry.validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message}`));
    return problems.map((m) => `${where}: ${m}`);
  }

  /** Every problem of a recorded conversation: its requests, its answers, or both. */
  problems(exchanges: readonly TwilioExchange[], what: { requests?: boolean; answers?: boolean } = {}): string[] {
    const { requests = true, answers = true } = what;
    return exchanges.flatMap((x) => [...(requests ? this.requestProblems(x) : []), ...(answers && x.status !== undefined ? this.answerProblems(x) : [])]);
  }

  /** The examples of every answer of every operation, as the spec gives them (the validator's own test). */
  *answerExamples(): Generator<TwilioExchange & { example: string }> {
    for (const o of this.operations) {
      for (const [status, response] of Object.entries(o.op.responses as Record<string, Schema>)) {
        const examples = (response.content?.['application/json']?.examples ?? {}) as Record<string, { value: unknown }>;
        for (const [example, { value }] of Object.entries(examples)) {
          yield { method: o.method, path: o.template, query: {}, form: {}, status: Number(status), answer: value, example: `${o.spec.file} ${o.method} ${o.template} ${status} ${example}` };
        }
      }
    }
  }

  private check(key: string, schema: Schema, value: Json | undefined): string[] {
    let validate = this.compiled.get(key)?.validate;
    if (!validate) {
      validate = this.ajv.compile(openApiToJsonSchema(schema));
      this.compiled.set(key, { validate });
    }
    return validate(value) ? [] : summarize(validate.errors ?? []).map((e) => `${e.instancePath.replace(/^\//, '').replace(/\//g, '.')}${e.instancePath ? ' ' : ''}${e.message}`.trim());
  }

  /** The schema with every `$ref` of its definitions file inlined (Twilio's schemas are not recursive). */
  private deref(spec: Spec, schema: Schema, seen: string[] = []): Schema {
    if (Array.isArray(schema)) return schema.map((s) => this.deref(spec, s, seen));
    if (!schema || typeof schema !== 'object') return schema;
    if (typeof schema.$ref === 'string') {
      const ref = schema.$ref as string;
      if (seen.includes(ref)) throw new Error(`${spec.file}: ${ref} refers to itself`);
      const target = ref.replace(/^#\//, '').split('/').reduce((at: Schema, key) => at?.[key], spec.doc);
      if (!target) throw new Error(`${spec.file}: no ${ref}`);
      const { $ref: _ref, ...siblings } = schema;
      return { ...this.deref(spec, target, [...seen, ref]), ...this.deref(spec, siblings, seen) };
    }
    return Object.fromEntries(Object.entries(schema).filter(([k]) => !k.startsWith('x-')).map(([k, v]) => [k, typeof v === 'object' ? this.deref(spec, v, seen) : v]));
  }
}

/**
 * One problem per place: ajv reports every branch of a union (`must be null`, `must match a schema in
 * anyOf`) and every failed keyword; the first that says what is wrong with the value is enough.
 */
function summarize(errors: ErrorObject[]): Array<{ instancePath: string; message: string }> {
  const byPlace = new Map<string, ErrorObject[]>();
  for (const e of errors) byPlace.set(e.instancePath, [...(byPlace.get(e.instancePath) ?? []), e]);
  return [...byPlace.entries()].map(([instancePath, list]) => {
    const telling = list.find((e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null') && e.keyword !== 'const') ?? list[0];
    const extra = 'additionalProperty' in telling.params ? `: ${telling.params.additionalProperty}` : '';
    return { instancePath, message: `${telling.message}${extra}` };
  });
}

/** OpenAPI 3.0 → JSON Schema for ajv: `nullable` as a union with null. */
export function openApiToJsonSchema(schema: Schema): Schema {
  if (Array.isArray(schema)) return schema.map(openApiToJsonSchema);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example') continue;
    out[key] = key === 'properties' ? Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, openApiToJsonSchema(v as Schema)])) : typeof value === 'object' ? openApiToJsonSchema(value as Schema) : value;
  }
  return schema.nullable === true ? { anyOf: [out, { type: 'null' }] } : out;
}

/**
 * An answer's schema as Twilio fills it: every property present, no field the schema and the examples do
 * not know, and `""` allowed where the examples write an unset field that way.
 */
function answerSchema(schema: Schema, examples: Examples | undefined, at: Place): Schema {
  const out: Schema = { ...schema };
  if (schema.type === 'object' && schema.properties) {
    const properties: Schema = {};
    for (const [key, value] of Object.entries(schema.properties as Schema)) properties[key] = answerSchema(value as Schema, examples, child(at, key));
    out.properties = properties;
    // Twilio's answers carry every property (null when unset); where the examples leave one out, so may the answer.
    const always = examples?.always.get(at);
    out.required = Object.keys(properties).filter((key) => !always || always.has(key));
    const seen = examples?.keys.get(at);
    // Keys only the examples have (`subresource_uris`, `tags`, `sending_windows`): allowed, of any type.
    for (const key of seen ?? []) if (!properties[key]) properties[key] = {};
    out.additionalProperties = false;
  }
  if (schema.type === 'array' && schema.items) out.items = answerSchema(schema.items as Schema, examples, items(at));
  const converted = openApiToJsonSchema({ ...out, nullable: false });
  const nullable = schema.nullable === true;
  const emptyString = examples?.empty.get(at) === '' || examples?.empty.get(at) === 'both';
  const options = [converted, ...(nullable ? [{ type: 'null' }] : []), ...(emptyString && schema.type === 'string' ? [{ const: '' }] : [])];
  return options.length === 1 ? converted : { anyOf: options };
}

function examplesOf(content: Schema): Examples | undefined {
  const values = Object.values((content.examples ?? {}) as Record<string, { value: Json }>).map((e) => e.value);
  if (!values.length) return undefined;
  const examples: Examples = { keys: new Map(), always: new Map(), empty: new Map() };
  const visit = (value: Json, at: Place) => {
    if (value === null || value === '') {
      const before = examples.empty.get(at);
      examples.empty.set(at, before === undefined || before === value ? value : 'both');
    } else if (Array.isArray(value)) value.forEach((v) => visit(v, items(at)));
    else if (typeof value === 'object') {
      const keys = examples.keys.get(at) ?? new Set<string>();
      examples.keys.set(at, keys);
      const always = examples.always.get(at);
      examples.always.set(at, new Set(always ? [...always].filter((k) => k in value) : Object.keys(value)));
      for (const [k, v] of Object.entries(value)) {
        keys.add(k);
        visit(v, child(at, k));
      }
    }
  };
  values.forEach((v) => visit(v, ''));
  return examples;
}

/** An empty field written otherwise than the examples write it there (`null` for `""`, or the other way). */
function walkEmpties(value: Json, at: Place, examples: Examples, problems: string[]): void {
  if (value === null || value === '') {
    const expected = examples.empty.get(at);
    if ((expected === '' || expected === null) && expected !== value) problems.push(`${at} is ${JSON.stringify(value)} where Twilio's examples give ${JSON.stringify(expected)}`);
  } else if (Array.isArray(value)) value.forEach((v) => walkEmpties(v, items(at), examples, problems));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) walkEmpties(v, child(at, k), examples, problems);
}

/** A form or query value as its schema's type reads it: Twilio's wire format is strings. */
function decode(schema: Schema, values: string[]): Json {
  const one = (s: Schema, v: string): Json => {
    const type = s?.type ?? s?.anyOf?.[0]?.type;
    if (type === 'integer' && /^-?\d+$/.test(v)) return Number(v);
    if (type === 'number' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
    if (type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
    if (type === 'object') {
      try {
        return JSON.parse(v) as Json;
      } catch {
        return v;
      }
    }
    return v;
  };
  return schema?.type === 'array' ? values.map((v) => one(schema.items as Schema, v)) : one(schema, values.at(-1) ?? '');
}

let shared: TwilioSpec | undefined;
/** One loaded copy per test file (the definitions are 3 MB of JSON). */
export const twilioSpec = (): TwilioSpec => (shared ??= new TwilioSpec());

/** The JSON resource path of a recording's media request (GET …/Recordings/RE….wav|mp3), else undefined. */
function recordingMedia(req: Pick<TwilioExchange, 'method' | 'path'>): string | undefined {
  if (req.method.toUpperCase() !== 'GET') return undefined;
  const m = /^(\/2010-04-01\/Accounts\/[^/]+\/Recordings\/[^/.]+)\.(wav|mp3)$/.exec(req.path);
  return m ? `${m[1]}.json` : undefined;
}
