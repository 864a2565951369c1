// The flow document of DESIGN.md section 3. Shape and limits live here (a violation is a 400 naming
// the field); whether the flow makes sense (branches lead somewhere, users exist...) is the checker's job
// (a 422 listing problems). That is why branches are optional here: an empty branch is `missing_branch`.
import { z } from 'zod';

import { APPLET_ID, APPLET_ID_RULE, E164, MAX_DIAL_NOUNS, MAX_SMS_TEXT, QUEUE_NAME_MAX } from './applets';
import { nameSchema } from './names';
import { pairingProblem, SAY_LANGUAGES, SAY_VOICES } from './say-voices';
import { referenceSites } from './summary';
import { XML_TEXT, XML_TEXT_RULE } from './xml-text';

export { APPLET_ID, E164, CALL_APPLETS, SMS_APPLETS, TERMINAL_APPLETS, branchesOf } from './applets';
export const MAX_APPLETS = 200;
export const MAX_DOCUMENT_BYTES = 256 * 1024;
export const MAX_TEXT = 1000;
export { MAX_SMS_TEXT } from './applets';
/** Twilio's default ring time is 30 s; 15 s (plus the ~5 s Twilio adds) stays under a mobile's own voicemail. */
export const DEFAULT_RING_SECONDS = 15;
/**
 * Distinct users, groups and schedules one flow may name. Publishing is one DynamoDB transaction (at most
 * 100 items): the revision, the head, and one flowRefs update per user, group or schedule added or dropped,
 * so a revision that swaps all of them for others writes 2 + 49 + 49 = 100 items; deleting the flow writes 1 + 49.
 */
export const MAX_FLOW_REFERENCES = 49;

/** Every free-text string of a document: the TwiML builders throw on characters XML cannot carry. */
export const xmlString = () => z.string().regex(XML_TEXT, XML_TEXT_RULE);
const text = xmlString().min(1).max(MAX_TEXT);
const smsText = xmlString().min(1).max(MAX_SMS_TEXT);
const e164 = z.string().regex(E164, 'must be an E.164 number like +15550100001');
const httpsUrl = xmlString().max(MAX_TEXT).url().regex(/^https:\/\//, 'must be an https URL');
/** A user, group or flow id: never rendered, but refused like any text so no stored string can break TwiML. */
const refId = xmlString().min(1).max(64);

const VOICES: ReadonlySet<string> = new Set(SAY_VOICES);
const LANGUAGES: ReadonlySet<string> = new Set(SAY_LANGUAGES);
/** An unknown voice or language makes <Say> fail (13511, 13321 in a Gather): the caller hears a silent menu. */
const voice = z.string().refine((v) => VOICES.has(v), {
  message: 'must be a voice Twilio offers (a SayVoice name of the twilio library, e.g. Polly.Joanna-Neural, Google.en-US-Standard-C, man, woman)',
});
const language = z.string().refine((l) => LANGUAGES.has(l), {
  message: 'must be a language tag Twilio accepts for <Say> (e.g. en-US, en-GB, es-MX, fr-FR)',
});
/** Every applet may carry a label, shown on the diagram instead of its id (DESIGN.md section 3). */
export const MAX_LABEL = 80;
const label = xmlString().min(1).max(MAX_LABEL).optional();
/** A branch names the next applet; absent or "" means "not set" (the checker reports it when a caller can take it). */
const appletId = z.string().regex(APPLET_ID, `must be an applet id (${APPLET_ID_RULE})`);
const branch = z.union([z.literal(''), appletId]).optional();
const time = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be HH:MM (00:00-24:00)');

export const promptSchema = z.union([
  z
    .strictObject({ text, voice: voice.optional(), language: language.optional() })
    .superRefine((p, ctx) => {
      // Voice and language as Twilio pairs them (say-voices.ts): another language fails the <Say> (13321).
      // Named at `language`: the voice is a real one, the language is what it cannot speak.
      const problem = pairingProblem(p.voice, p.language);
      if (problem) ctx.addIssue({ code: 'custom', path: ['language'], message: problem });
    }),
  z.strictObject({ play: httpsUrl }),
]);

export const mailboxRefSchema = z.union([
  z.strictObject({ user: refId }),
  z.strictObject({ group: refId }),
]);

/**
 * How a group (or a list) is rung: all at once; one after another in group order; from the next member
 * each call; or the members who have waited longest since their last call ended first.
 */
export const DIAL_STRATEGIES = ['simultaneous', 'sequential', 'round-robin', 'longest-idle'] as const;

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Day = (typeof DAYS)[number];
/** One day's opening ranges: `["HH:MM","HH:MM"]`, close may be 24:00 (shared with schedules, schedule.ts). */
export const rangesSchema = z.array(z.tuple([time, time])).max(24);
const ranges = rangesSchema.default([]);
export const weeklySchema = z
  .strictObject({ mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges, sat: ranges, sun: ranges })
  .default({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });
/** An IANA time zone's name (whether the runtime knows it is the checker's `bad_timezone`, or a schedule's 400). */
export const timezoneSchema = xmlString().min(1).max(64);
/** A shared schedule's id (`sch_…`): the schedule itself is checked to exist by the checker (`unknown_schedule`). */
export const scheduleIdSchema = refId;

/** What inline hours say; a `schedule` replaces all of it (DESIGN.md section 15). */
const INLINE_HOURS = ['timezone', 'weekly', 'closures', 'override'] as const;

const hours = z
  .strictObject({
    type: z.literal('hours'),
    label,
    /** A shared schedule (section 15) instead of the inline hours below. */
    schedule: scheduleIdSchema.optional(),
    timezone: timezoneSchema.optional(),
    // No defaults here: a schedule's applet carries none of these, and the refinement fills them for inline hours.
    weekly: weeklySchema.removeDefault().optional(),
    closures: z
      .array(
        z.strictObject({
          date: z.string().regex(/^(\d{4}|-)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'must be YYYY-MM-DD or --MM-DD'),
          name: xmlString().max(200).optional(),
        }),
      )
      .max(366)
      .optional(),
    override: z.strictObject({ state: z.enum(['open', 'closed']), until: z.iso.datetime({ offset: true }) }).optional(),
    open: branch,
    closed: branch,
  })
  .superRefine((h, ctx) => {
    if (h.schedule !== undefined) {
      // Both forms at once would leave a reader guessing which one decides.
      for (const field of INLINE_HOURS) {
        if (h[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'not allowed with `schedule`: the shared schedule says it (or remove `schedule`)' });
      }
    } else if (h.timezone === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'required (an IANA time zone such as America/New_York), unless the applet names a shared `schedule`' });
    }
  })
  .transform((h): InlineHours | SharedHours => {
    const branches = { ...(h.label !== undefined && { label: h.label }), ...(h.open !== undefined && { open: h.open }), ...(h.closed !== undefined && { closed: h.closed }) };
    if (h.schedule !== undefined) return { type: h.type, schedule: h.schedule, ...branches };
    return {
      type: h.type,
      timezone: h.timezone!,
      weekly: weeklySchema.parse(h.weekly),
      closures: h.closures ?? [],
      ...(h.override && { override: h.override }),
      ...branches,
    };
  });

export type Weekly = z.output<typeof weeklySchema>;
type HoursBase = { type: 'hours'; label?: string; open?: string; closed?: string };
/** Inline hours: defaults filled (every day's ranges, no closures). */
type InlineHours = HoursBase & {
  schedule?: undefined;
  timezone: string;
  weekly: Weekly;
  closures: Array<{ date: string; name?: string }>;
  override?: { state: 'open' | 'closed'; until: string };
};
/** Hours of a shared schedule: the schedule says everything else. */
type SharedHours = HoursBase & { schedule: string; timezone?: undefined; weekly?: undefined; closures?: undefined; override?: undefined };

const caller = z.strictObject({
  type: z.literal('caller'),
  label,
  rules: z
    .array(
      z.strictObject({
        numbers: z.array(e164).max(100).optional(),
        prefixes: z.array(z.string().regex(/^\+\d{1,15}$/, 'must be a + followed by digits')).max(100).optional(),
        anonymous: z.boolean().optional(),
        next: branch,
      }),
    )
    .max(50),
  otherwise: branch,
});

const say = z.strictObject({
  type: z.literal('say'),
  label,
  prompt: promptSchema,
  loop: z.number().int().min(1).max(10).default(1),
  next: branch,
});

const menu = z.strictObject({
  type: z.literal('menu'),
  label,
  prompt: promptSchema,
  options: z.record(z.string().regex(/^[0-9*#]$/, 'keys are 0-9, * or #'), branch),
  attempts: z.number().int().min(1).max(10).default(3),
  timeoutSeconds: z.number().int().min(1).max(30).default(5),
  invalidPrompt: promptSchema.optional(),
  fallback: branch,
});

/** Twilio rings at most 10 nouns in one <Dial>; a list longer than that could never ring at once. */
export const MAX_DIAL_LIST = 10;
/** One entry of a dial's `targets`: a user, a group (its members, in place) or a phone number. */
export const dialTargetSchema = z.union([z.strictObject({ user: refId }), z.strictObject({ group: refId }), z.strictObject({ number: e164 })]);
const targetKey = (t: z.infer<typeof dialTargetSchema>) => ('user' in t ? `user:${t.user}` : 'group' in t ? `group:${t.group}` : `number:${t.number}`);

const dial = z
  .strictObject({
    type: z.literal('dial'),
    label,
    user: refId.optional(),
    group: refId.optional(),
    number: e164.optional(),
    /** Several people in one dial (DESIGN.md section 3): rung as one list in this order, groups expanded in place. */
    targets: z
      .array(dialTargetSchema)
      .min(1, 'list at least one user, group or number to ring')
      .max(MAX_DIAL_LIST, `a dial rings at most ${MAX_DIAL_LIST} users, groups or numbers`)
      .superRefine((list, ctx) => {
        const seen = new Set<string>();
        list.forEach((t, i) => {
          const key = targetKey(t);
          if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: 'is already in the list: each user, group or number is listed once' });
          seen.add(key);
        });
      })
      .optional(),
    strategy: z.enum(DIAL_STRATEGIES).default('simultaneous'),
    perRound: z.number().int().min(1).max(10).default(1),
    sticky: z.boolean().default(false),
    ringSeconds: z.number().int().min(5).max(120).default(DEFAULT_RING_SECONDS),
    callerId: z.enum(['caller', 'number']).default('caller'),
    screen: z.boolean().default(false),
    /**
     * Spoken to the person who answers, before the call is bridged (a whisper on their leg): "Call for the
     * {number}". `{number}` stands for the called number's name.
     */
    announce: text.optional(),
    record: z.boolean().default(false),
    /** Heard by the caller before a recorded dial rings: the consent notice (satisfies record_without_notice). */
    recordingNotice: promptSchema.optional(),
    noAnswer: branch,
  })
  .superRefine((d, ctx) => {
    const targets = [d.user, d.group, d.number, d.targets].filter((t) => t !== undefined).length;
    if (targets !== 1) {
      ctx.addIssue({ code: 'custom', path: ['user'], message: 'exactly one of user, group, number or targets is required' });
    }
  });

const voicemail = z.strictObject({
  type: z.literal('voicemail'),
  label,
  prompt: promptSchema.optional(),
  mailbox: mailboxRefSchema,
  maxSeconds: z.number().int().min(5).max(600).default(120),
  transcribe: z.boolean().default(false),
  /**
   * Who is told when a message is left (and again with its transcript when it comes): `true` texts every
   * mailbox member with a phone (`{ sms: true }`); `{ email: true }` emails every member with an address.
   */
  notify: z.union([z.boolean(), z.strictObject({ sms: z.boolean().optional(), email: z.boolean().optional() })]).default(false),
});

/** Texts the caller from the number they called, then goes on at once (DESIGN.md section 3). */
const textBack = z.strictObject({
  type: z.literal('text'),
  label,
  text: smsText,
  next: branch,
});

/**
 * A call queue as Twilio builds them (DESIGN.md section 3): the caller waits in the named queue (`<Enqueue>`)
 * hearing `hold`, their position every `announceEverySeconds`, until one of `targets` takes them or
 * `maxWaitSeconds` pass (then `timeout`). The name is the queue: every flow that names it shares it.
 */
const queue = z.strictObject({
  type: z.literal('queue'),
  label,
  /** Twilio's queue name: at most 64 characters. */
  name: xmlString().min(1).max(QUEUE_NAME_MAX).regex(/\S/, 'must not be blank'),
  /** Who is offered waiting callers, as a dial's list of targets: users and groups (groups expanded). */
  targets: z.array(z.union([z.strictObject({ user: refId }), z.strictObject({ group: refId })])).min(1).max(MAX_DIAL_NOUNS),
  /** Looped while the caller waits: speech or music (absent: a spoken "please stay on the line"). */
  hold: promptSchema.optional(),
  /** 0: never. */
  announceEverySeconds: z.number().int().min(0).max(3600).default(60),
  maxWaitSeconds: z.number().int().min(30).max(3600).default(300),
  timeout: branch,
});

const redirect = z.strictObject({ type: z.literal('redirect'), label, flow: refId });
const hangup = z.strictObject({ type: z.literal('hangup'), label });

const reply = z.strictObject({
  type: z.literal('reply'),
  label,
  text: smsText,
  media: z.array(httpsUrl).max(10).optional(),
  /**
   * A text that arrived while the flow could not be read is routed later (DESIGN.md section 11): this
   * reply goes out then too, late, only when true (absent: false, no reply after the fact).
   */
  lateReply: z.boolean().optional(),
  next: branch,
});

const keyword = z.strictObject({
  type: z.literal('keyword'),
  label,
  rules: z
    .array(z.strictObject({ keywords: z.array(xmlString().min(1).max(160)).min(1).max(50), next: branch }))
    .max(50),
  otherwise: branch,
});

const inbox = z.strictObject({ type: z.literal('inbox'), label, mailbox: mailboxRefSchema, notify: z.boolean().default(false) });
const forward = z.strictObject({ type: z.literal('forward'), label, to: e164 });

/** Every applet type is accepted in either part: a call applet in the sms part is the checker's `wrong_channel`. */
export const appletSchema = z.discriminatedUnion('type', [
  say, menu, hours, caller, dial, voicemail, textBack, queue, redirect, hangup, reply, keyword, inbox, forward,
]);

export const partSchema = z.strictObject({
  start: appletId,
  applets: z.preprocess(
    (applets, ctx) => {
      // zod's record skips a "__proto__" key without a word, so the applet would vanish from the saved
      // document: refuse it by name instead (APPLET_ID refuses it too, but never gets to see it).
      if (applets && typeof applets === 'object' && Object.hasOwn(applets, '__proto__')) {
        ctx.addIssue({ code: 'custom', path: ['__proto__'], message: APPLET_ID_RULE, input: applets });
      }
      return applets;
    },
    z
      .record(z.string().regex(APPLET_ID, APPLET_ID_RULE), appletSchema)
      .refine((a) => Object.keys(a).length <= MAX_APPLETS, `a part has at most ${MAX_APPLETS} applets`),
  ),
});

export const flowDocumentSchema = z
  .strictObject({
    name: nameSchema,
    call: partSchema.optional(),
    sms: partSchema.optional(),
  })
  .superRefine((doc, ctx) => {
    // Named at the first reference over the limit, so the 400 points into the document.
    const seen = new Set<string>();
    for (const site of referenceSites(doc)) {
      if (site.kind === 'flow') continue;
      seen.add(`${site.kind}:${site.id}`);
      if (seen.size > MAX_FLOW_REFERENCES) {
        ctx.addIssue({
          code: 'custom',
          path: site.path,
          message: `a flow names at most ${MAX_FLOW_REFERENCES} different users, groups and schedules in total; this is one more`,
        });
        return;
      }
    }
  });

export type Prompt = z.infer<typeof promptSchema>;
export type MailboxRef = z.infer<typeof mailboxRefSchema>;
export type DialEntry = z.infer<typeof dialTargetSchema>;
export type Applet = z.infer<typeof appletSchema>;
export type AppletType = Applet['type'];
export type AppletOf<T extends AppletType> = Extract<Applet, { type: T }>;
export type FlowPart = z.infer<typeof partSchema>;
export type FlowDocument = z.infer<typeof flowDocumentSchema>;
export type Channel = 'call' | 'sms';

