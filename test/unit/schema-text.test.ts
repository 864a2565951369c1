// What the flow document and the people schemas refuse so the carrier can play it (DESIGN.md section 3,
// limits): characters XML cannot carry in any text field (a 400 naming the field), voices and languages
// Twilio does not offer, SMS texts over 1,600 characters; and the dial's ring-time default.
import { parseFlowDocument } from '../../lambdas/admin/flows';
import { fieldIssues } from '../../lambdas/admin/http';
import { ValidationError, type FieldIssue } from '../../lambdas/errors';
import { groupInputSchema, userInputSchema } from '../../lambdas/flows/people';
import { flowDocumentSchema, partSchema } from '../../lambdas/flows/schema';
import type { z } from 'zod';
import { callAndSmsFlow, callOnlyFlow, groupFlow } from '../support/fixtures';

const paths = (schema: z.ZodType, input: unknown) => {
  const result = schema.safeParse(input);
  return result.success ? [] : fieldIssues(result.error).map((i) => i.path);
};

const hangup = { type: 'hangup' };
/** A document with every free-text field, each holding `t`. */
const everyText = (t: string) => ({
  name: `Flow ${t}`,
  call: {
    start: 'greet',
    applets: {
      greet: { type: 'say', prompt: { text: `Hello ${t}` }, next: 'h' },
      h: { type: 'hours', timezone: `Europe/Paris${t}`, closures: [{ date: '--12-25', name: `Xmas ${t}` }], open: 'd', closed: 'r' },
      d: { type: 'dial', user: `usr_${t}`, noAnswer: 'g' },
      g: { type: 'dial', group: `grp_${t}`, noAnswer: 'vm' },
      vm: { type: 'voicemail', mailbox: { user: `usr_${t}` } },
      r: { type: 'redirect', flow: `flw_${t}` },
      p: { type: 'say', prompt: { play: `https://cdn.example.com/${t}.mp3` }, next: 'bye' },
      bye: hangup,
    },
  },
  sms: {
    start: 'k',
    applets: {
      k: { type: 'keyword', rules: [{ keywords: [`SALES${t}`], next: 'rep' }], otherwise: 'i' },
      rep: { type: 'reply', text: `Thanks ${t}`, media: [`https://cdn.example.com/${t}.png`], next: 'i' },
      i: { type: 'inbox', mailbox: { group: `grp_${t}` } },
    },
  },
});

const TEXT_FIELDS = [
  'name', 'call.applets.greet.prompt.text', 'call.applets.h.timezone', 'call.applets.h.closures.0.name', 'call.applets.d.user',
  'call.applets.g.group', 'call.applets.vm.mailbox.user', 'call.applets.r.flow', 'call.applets.p.prompt.play',
  'sms.applets.k.rules.0.keywords.0', 'sms.applets.rep.text', 'sms.applets.rep.media.0', 'sms.applets.i.mailbox.group',
];

describe('characters XML cannot carry are refused in every text field, by name', () => {
  test('the document with ordinary text is valid', () => {
    expect(paths(flowDocumentSchema, everyText('ok'))).toEqual([]);
  });

  test.each([
    ['U+0000', '\u0000'], ['U+0007 (bell)', '\u0007'], ['U+000B (vertical tab)', '\u000B'], ['U+000C (form feed)', '\u000C'],
    ['U+001F', '\u001F'], ['U+FFFE', '\uFFFE'], ['U+FFFF', '\uFFFF'], ['a lone high surrogate', '\uD83D'], ['a lone low surrogate', '\uDE00'],
  ])('%s', (_what, bad) => {
    expect(paths(flowDocumentSchema, everyText(bad)).sort()).toEqual([...TEXT_FIELDS].sort());
  });

  test('tabs, new lines and emoji (surrogate pairs) are text like any other', () => {
    expect(paths(flowDocumentSchema, everyText('a\tb\nc\r😀'))).toEqual([]);
  });

  test('user and group names, and group members', () => {
    expect(paths(userInputSchema, { name: 'Ann\u0001' })).toEqual(['name']);
    expect(paths(groupInputSchema, { name: 'Team\u0007', members: ['usr_ok', 'usr_\u0000'] })).toEqual(['name', 'members.1']);
    expect(paths(userInputSchema, { name: 'Ann 😀' })).toEqual([]);
  });
});

describe('voices and languages are the ones Twilio offers', () => {
  const prompt = (p: Record<string, unknown>) => paths(partSchema, { start: 's', applets: { s: { type: 'say', prompt: { text: 'Hi', ...p }, next: 'b' }, b: hangup } });

  test.each(['Polly.Joanna', 'Polly.Joanna-Neural', 'Google.en-US-Standard-C', 'man', 'woman'])('%s is accepted', (voice) => {
    expect(prompt({ voice })).toEqual([]);
  });

  test('an unknown voice, a bad language tag, or a Google voice with another language is a 400 naming the field', () => {
    expect(prompt({ voice: 'Polly.Nobody' })).toEqual(['applets.s.prompt.voice']);
    expect(prompt({ voice: 'polly.joanna' })).toEqual(['applets.s.prompt.voice']);
    expect(prompt({ language: 'english' })).toEqual(['applets.s.prompt.language']);
    expect(prompt({ language: 'en-US' })).toEqual([]);
    expect(prompt({ voice: 'Google.en-US-Standard-C', language: 'fr-FR' })).toEqual(['applets.s.prompt.language']);
    expect(prompt({ voice: 'Google.en-US-Standard-C', language: 'en-US' })).toEqual([]);
  });

  test('a voice with a language Twilio does not pair it with is a 400 naming language (issue 19 item 6)', () => {
    expect(prompt({ voice: 'Polly.Joanna', language: 'en-GB' })).toEqual(['applets.s.prompt.language']);
    expect(prompt({ voice: 'Polly.Amy-Neural', language: 'en-US' })).toEqual(['applets.s.prompt.language']);
    expect(prompt({ voice: 'man', language: 'ja-JP' })).toEqual(['applets.s.prompt.language']);
    expect(prompt({ voice: 'woman', language: 'fr-FR' })).toEqual([]);
    expect(prompt({ voice: 'Polly.Amy', language: 'en-GB' })).toEqual([]);
    // No language: the voice speaks its own, whatever it is.
    expect(prompt({ voice: 'Polly.Hiujin-Neural' })).toEqual([]);
    // A voice Twilio does not have is the voice's fault, not the language's.
    expect(prompt({ voice: 'Polly.Nobody', language: 'en-US' })).toEqual(['applets.s.prompt.voice']);
  });

  test('the shared test fixtures still publish', () => {
    for (const doc of [callAndSmsFlow('usr_ann'), callOnlyFlow(), groupFlow('grp_sales')]) expect(() => parseFlowDocument(doc)).not.toThrow();
  });

  test('publishing refuses the pair the way the admin API answers: a ValidationError at the prompt\'s path', () => {
    const document = {
      name: 'Voices',
      call: {
        start: 'greet',
        applets: {
          greet: { type: 'say', prompt: { text: 'Bonjour', voice: 'Polly.Joanna', language: 'fr-FR' }, next: 'menu' },
          menu: {
            type: 'menu', prompt: { text: 'Press 1', voice: 'Polly.Lea-Neural', language: 'fr-FR' }, options: { 1: 'bye' },
            invalidPrompt: { text: 'Sorry', voice: 'man', language: 'pt-BR' }, fallback: 'bye',
          },
          bye: { type: 'hangup' },
        },
      },
    };
    let issues: FieldIssue[] = [];
    try {
      parseFlowDocument(document);
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      issues = (err as ValidationError).issues;
    }
    expect(issues).toEqual([
      { path: 'call.applets.greet.prompt.language', message: expect.stringContaining('Polly.Joanna speaks only en-US') },
      { path: 'call.applets.menu.invalidPrompt.language', message: expect.stringContaining('man speaks only en-US, en-GB') },
    ]);
  });
});

describe('SMS texts and ring times', () => {
  const reply = (text: string) => paths(partSchema, { start: 'r', applets: { r: { type: 'reply', text } } });

  test('a reply carries up to 1,600 characters, one SMS', () => {
    expect(reply('x'.repeat(1600))).toEqual([]);
    expect(reply('x'.repeat(1601))).toEqual(['applets.r.text']);
  });

  test('ringSeconds defaults to 15, under a mobile\'s own voicemail delay, and stays within 5-120', () => {
    const dial = (extra: Record<string, unknown>) => partSchema.safeParse({ start: 'd', applets: { d: { type: 'dial', number: '+15550109999', noAnswer: 'b', ...extra }, b: hangup } });
    const parsed = dial({});
    expect(parsed.success && parsed.data.applets.d.type === 'dial' && parsed.data.applets.d.ringSeconds).toBe(15);
    expect(dial({ ringSeconds: 4 }).success).toBe(false);
    expect(dial({ ringSeconds: 121 }).success).toBe(false);
    expect(dial({ ringSeconds: 120 }).success).toBe(true);
  });
});
