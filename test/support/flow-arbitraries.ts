// fast-check arbitraries for the property-based tests: directories, flow documents (biased towards
// flows the checker passes, or "noisy" ones with dead ends, wrong channels and unknown targets), and
// the carrier's side of a call or a text. Generated documents go through the real schema.
import fc from 'fast-check';
import type { Directory, Group, User } from '../../lambdas/flows/people';
import { flowDocumentSchema, type FlowDocument } from '../../lambdas/flows/schema';

/** One fixed seed for every property file (FC_SEED overrides it to explore, and to replay a failure). */
export const FC_SEED = Number(process.env.FC_SEED ?? 20261201);

export const FLOW_NUMBER = '+15550100001';
export const OTHER_FLOW = 'flw_other';
const PHONES = [FLOW_NUMBER, '+15550100011', '+15550100022', '+447700900123', '+61491570156', '+12345678'];
const USER_IDS = ['u0', 'u1', 'u2', 'u3', 'u4'];
const GROUP_IDS = ['g0', 'g1', 'g2'];
const APPLET_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
const CALL_TYPES = ['say', 'menu', 'hours', 'caller', 'dial', 'voicemail', 'redirect', 'hangup'] as const;
const SMS_TYPES = ['reply', 'hours', 'caller', 'keyword', 'inbox', 'forward'] as const;

/**
 * Characters XML cannot carry. Schema-valid text with them cannot be rendered (the twilio builder throws);
 * refusing them is the schema's job (DESIGN.md section 3, limits), so the generated text leaves them out.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const xmlText = (options: { minLength?: number; maxLength?: number } = {}) =>
  fc.string({ unit: 'grapheme', minLength: options.minLength ?? 1, maxLength: options.maxLength ?? 30 }).filter((s) => !XML_ILLEGAL.test(s));

// ---------------------------------------------------------------------------------------------------
// Directory

const userArb = (id: string): fc.Arbitrary<User> =>
  fc.record(
    { name: fc.constant(`User ${id}`), phone: fc.constantFrom(...PHONES), client: fc.constantFrom(`c_${id}`, 'shared'), available: fc.boolean() },
    { requiredKeys: ['name', 'available'] },
  ).map((u) => ({ id, ...u }));

const groupArb = (id: string): fc.Arbitrary<Group> =>
  fc.uniqueArray(fc.constantFrom(...USER_IDS, 'u_gone'), { maxLength: 6 }).map((members) => ({ id, name: `Group ${id}`, members }));

export const directoryArb: fc.Arbitrary<Directory> = fc
  .tuple(fc.tuple(...USER_IDS.map(userArb)), fc.tuple(...GROUP_IDS.map(groupArb)))
  .map(([users, groups]) => ({
    users: new Map(users.map((u) => [u.id, u])),
    groups: new Map(groups.map((g) => [g.id, g])),
    flowIds: new Set([OTHER_FLOW]),
  }));

// ---------------------------------------------------------------------------------------------------
// Flow documents

const promptArb = fc.oneof(
  xmlText().map((text) => ({ text })),
  xmlText().map((text) => ({ text, voice: 'Polly.Joanna', language: 'en-US' })),
  fc.constant({ play: 'https://example.com/greeting.mp3' }),
);
const mailboxArb = fc.oneof(fc.constantFrom(...USER_IDS).map((user) => ({ user })), fc.constantFrom(...GROUP_IDS).map((group) => ({ group })));
const weeklyRanges = fc.constantFrom([], [['09:00', '17:00']], [['00:00', '24:00']], [['09:00', '12:00'], ['13:00', '17:30']], [['22:00', '24:00']]);
const hoursFields = fc.record(
  {
    timezone: fc.constantFrom('America/New_York', 'Europe/London', 'Asia/Kolkata', 'UTC', 'Australia/Lord_Howe'),
    weekly: fc.record({ mon: weeklyRanges, tue: weeklyRanges, wed: weeklyRanges, thu: weeklyRanges, fri: weeklyRanges, sat: weeklyRanges, sun: weeklyRanges }),
    closures: fc.array(fc.constantFrom({ date: '2026-12-24', name: 'Christmas Eve' }, { date: '--01-01' }, { date: '2027-07-04' }), { maxLength: 2 }),
    override: fc.record({ state: fc.constantFrom('open', 'closed'), until: fc.constantFrom('2026-06-01T12:00:00Z', '2031-01-01T00:00:00+02:00') }),
  },
  { requiredKeys: ['timezone', 'weekly', 'closures'] },
);
const callerRules = <T>(next: fc.Arbitrary<T>) =>
  fc.array(
    fc.record(
      { numbers: fc.array(fc.constantFrom(...PHONES), { maxLength: 2 }), prefixes: fc.array(fc.constantFrom('+1', '+44', '+1555'), { maxLength: 2 }), anonymous: fc.boolean(), next },
      { requiredKeys: ['next'] },
    ),
    { maxLength: 3 },
  );

interface Targets {
  /** Where an instant applet may go: only forward, so only waiting applets close a cycle. */
  forward: fc.Arbitrary<string | undefined>;
  /** Where a waiting applet (menu, dial) may go: anywhere, so cycles with input are generated too. */
  anywhere: fc.Arbitrary<string | undefined>;
}

function targetsFor(i: number, n: number, noisy: boolean): Targets {
  const ids = APPLET_IDS.slice(0, n);
  const later = ids.slice(i + 1);
  const junk = noisy ? [fc.constantFrom('', 'nowhere', ...ids), fc.constant(undefined)] : [];
  const forward = later.length ? fc.oneof(fc.constantFrom(...later), ...junk) : noisy ? fc.oneof(...junk) : fc.constant(undefined);
  return { forward, anywhere: fc.oneof(fc.constantFrom(...ids), ...junk) };
}

function callAppletArb(type: (typeof CALL_TYPES)[number], t: Targets, noisy: boolean): fc.Arbitrary<unknown> {
  switch (type) {
    case 'say':
      return fc.record({ type: fc.constant(type), prompt: promptArb, loop: fc.integer({ min: 1, max: 3 }), next: t.forward });
    case 'menu':
      return fc.record(
        {
          type: fc.constant(type),
          prompt: promptArb,
          options: fc.dictionary(fc.constantFrom('0', '1', '2', '3', '9', '*', '#'), t.anywhere, { maxKeys: 4 }),
          attempts: fc.integer({ min: 1, max: 4 }),
          timeoutSeconds: fc.integer({ min: 1, max: 30 }),
          invalidPrompt: promptArb,
          fallback: t.anywhere,
        },
        { requiredKeys: ['type', 'prompt', 'options', 'attempts', 'fallback'] },
      );
    case 'hours':
      return fc.tuple(hoursFields, t.forward, t.forward).map(([h, open, closed]) => ({ type, ...h, open, closed }));
    case 'caller':
      return fc.record({ type: fc.constant(type), rules: callerRules(t.forward), otherwise: t.forward });
    case 'dial':
      return fc.tuple(
        fc.oneof(
          fc.constantFrom(...USER_IDS, ...(noisy ? ['u_gone'] : [])).map((user) => ({ user })),
          fc.constantFrom(...GROUP_IDS, ...(noisy ? ['g_gone'] : [])).map((group) => ({ group })),
          fc.constantFrom(...PHONES.slice(1)).map((number) => ({ number })),
          // Several in one dial (issue 20): each entry listed once, 1-4 of them.
          fc
            .uniqueArray(
              fc.oneof(
                fc.constantFrom(...USER_IDS, ...(noisy ? ['u_gone'] : [])).map((user) => ({ user })),
                fc.constantFrom(...GROUP_IDS, ...(noisy ? ['g_gone'] : [])).map((group) => ({ group })),
                fc.constantFrom(...PHONES.slice(1)).map((number) => ({ number })),
              ),
              { minLength: 1, maxLength: 4, selector: (e) => JSON.stringify(e) },
            )
            .map((targets) => ({ targets })),
        ),
        fc.record({
          strategy: fc.constantFrom('simultaneous', 'sequential', 'round-robin'),
          perRound: fc.integer({ min: 1, max: 3 }),
          sticky: fc.boolean(),
          ringSeconds: fc.integer({ min: 5, max: 60 }),
          callerId: fc.constantFrom('caller', 'number'),
          screen: fc.boolean(),
          record: fc.boolean(),
          noAnswer: t.anywhere,
        }),
      ).map(([target, rest]) => ({ type, ...target, ...rest }));
    case 'voicemail':
      return fc.record(
        { type: fc.constant(type), prompt: promptArb, mailbox: mailboxArb, maxSeconds: fc.integer({ min: 5, max: 600 }), transcribe: fc.boolean() },
        { requiredKeys: ['type', 'mailbox'] },
      );
    case 'redirect':
      return fc.record({ type: fc.constant(type), flow: noisy ? fc.constantFrom(OTHER_FLOW, 'flw_missing') : fc.constant(OTHER_FLOW) });
    case 'hangup':
      return fc.constant({ type });
  }
}

function smsAppletArb(type: (typeof SMS_TYPES)[number], t: Targets, noisy: boolean, last: boolean): fc.Arbitrary<unknown> {
  switch (type) {
    case 'reply':
      return fc.record(
        { type: fc.constant(type), text: xmlText({ maxLength: 60 }), media: fc.array(fc.constant('https://example.com/a.png'), { maxLength: 2 }), next: last && !noisy ? fc.constant(undefined) : t.forward },
        { requiredKeys: ['type', 'text'] },
      );
    case 'hours':
      return fc.tuple(hoursFields, t.forward, t.forward).map(([h, open, closed]) => ({ type, ...h, open, closed }));
    case 'caller':
      return fc.record({ type: fc.constant(type), rules: callerRules(t.forward), otherwise: t.forward });
    case 'keyword':
      return fc.record({
        type: fc.constant(type),
        rules: fc.array(fc.record({ keywords: fc.array(fc.constantFrom('SALES', 'stop', 'Help!', 'ÉTÉ'), { minLength: 1, maxLength: 2 }), next: t.forward }), { maxLength: 3 }),
        otherwise: t.forward,
      });
    case 'inbox':
      return fc.record({ type: fc.constant(type), mailbox: mailboxArb, notify: fc.boolean() });
    case 'forward':
      return fc.record({ type: fc.constant(type), to: fc.constantFrom(...PHONES.slice(1)) });
  }
}

/** Ends a path: the only types the last applet of a non-noisy part may have (waiting ones may loop back). */
const CALL_LAST = ['voicemail', 'redirect', 'hangup', 'menu', 'dial'] as const;
const SMS_LAST = ['inbox', 'forward', 'reply'] as const;

function partArb(channel: 'call' | 'sms', noisy: boolean): fc.Arbitrary<unknown> {
  return fc.integer({ min: 1, max: APPLET_IDS.length }).chain((n) =>
    fc
      .tuple(
        ...Array.from({ length: n }, (_, i) => {
          const last = i === n - 1;
          const t = targetsFor(i, n, noisy);
          if (channel === 'call') {
            const types = noisy ? [...CALL_TYPES, ...SMS_TYPES.filter((x) => x !== 'hours' && x !== 'caller')] : last ? CALL_LAST : CALL_TYPES;
            return fc.constantFrom(...types).chain((type) =>
              (CALL_TYPES as readonly string[]).includes(type) ? callAppletArb(type as (typeof CALL_TYPES)[number], t, noisy) : smsAppletArb(type as (typeof SMS_TYPES)[number], t, noisy, last),
            );
          }
          const types = noisy ? [...SMS_TYPES, 'hangup' as const, 'say' as const] : last ? SMS_LAST : SMS_TYPES;
          return fc.constantFrom(...types).chain((type) =>
            (SMS_TYPES as readonly string[]).includes(type) ? smsAppletArb(type as (typeof SMS_TYPES)[number], t, noisy, last) : callAppletArb(type as (typeof CALL_TYPES)[number], t, noisy),
          );
        }),
      )
      .chain((applets) =>
        (noisy ? fc.constantFrom(...APPLET_IDS.slice(0, n), 'nowhere') : fc.constant('a')).map((start) => ({
          start,
          applets: Object.fromEntries(applets.map((a, i) => [APPLET_IDS[i], a])),
        })),
      ),
  );
}

/**
 * A raw flow document (JSON as a client would send it). `noisy` adds dead ends, unknown applets, people
 * and flows, applets of the other channel and instant cycles; otherwise instant applets only lead forward
 * and the last applet ends the path, so most documents pass the checker.
 */
export const rawFlowArb = (noisy: boolean): fc.Arbitrary<Record<string, unknown>> =>
  fc.record({ name: xmlText({ maxLength: 20 }).filter((s) => /\S/.test(s)), call: partArb('call', noisy), sms: partArb('sms', noisy) }, { requiredKeys: ['name'] });

/** A document the schema accepts (defaults filled), built by the real schema from a raw one. */
export const flowArb = (noisy: boolean): fc.Arbitrary<FlowDocument> =>
  rawFlowArb(noisy)
    .map((raw) => flowDocumentSchema.safeParse(raw))
    .filter((r) => r.success)
    .map((r) => r.data!);

// ---------------------------------------------------------------------------------------------------
// The carrier's side

export const callerArb = fc.oneof(fc.constantFrom(...PHONES, 'anonymous', '', '+266696687', 'client:ann'), fc.string({ maxLength: 16 }).filter((s) => !XML_ILLEGAL.test(s)));
/** Any moment from 2024 to 2031: daylight saving changes, weekends and closures included. */
export const momentArb = fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2031-12-31T23:59:59Z'), noInvalidDate: true });

/** One thing the carrier does next: press a key (or nothing), or report a dial's outcome. */
export const carrierStepArb = fc.record({
  pressed: fc.boolean(),
  digits: fc.constantFrom('0', '1', '2', '3', '9', '*', '#', '', '12', 'x'),
  dialStatus: fc.constantFrom('completed', 'answered', 'busy', 'no-answer', 'failed', 'canceled', 'weird', undefined),
  bridged: fc.constantFrom('true', 'false', undefined),
});
export type CarrierStep = typeof carrierStepArb extends fc.Arbitrary<infer T> ? T : never;

/** Round-robin counters and sticky members as a store might answer: any integer, any remembered user. */
export const portAnswersArb = fc.record({
  counter: fc.integer({ min: -5, max: 1_000_000 }),
  sticky: fc.constantFrom(undefined, ...USER_IDS, 'u_gone'),
});
