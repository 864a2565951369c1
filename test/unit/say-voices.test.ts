// The voices and languages a prompt may name are exactly the twilio library's SayVoice and SayLanguage
// (lambdas/flows/say-voices.ts copies them so the webhook bundles never carry them).
import { readFileSync } from 'node:fs';
import {
  ALICE_LANGUAGES, BASIC_VOICE_LANGUAGES, languagesOf, pairingProblem, POLLY_LANGUAGES, pollyName, SAY_LANGUAGES, SAY_VOICES,
} from '../../lambdas/flows/say-voices';

const declarations = readFileSync(require.resolve('twilio/lib/twiml/VoiceResponse.d.ts'), 'utf8');

/** The string literals of a union type declared in the library's VoiceResponse namespace. */
function unionOf(type: string): string[] {
  const match = new RegExp(`type ${type} = ([^;]+);`).exec(declarations);
  if (!match) throw new Error(`type ${type} not found in VoiceResponse.d.ts`);
  return [...match[1].matchAll(/"([^"]+)"/g)].map((m) => m[1]);
}

test('SAY_VOICES is the library\'s SayVoice, name for name', () => {
  expect([...SAY_VOICES]).toEqual(unionOf('SayVoice'));
});

test('SAY_LANGUAGES is the library\'s SayLanguage, tag for tag', () => {
  expect([...SAY_LANGUAGES]).toEqual(unionOf('SayLanguage'));
});

test('the lists name the voices DESIGN.md gives as examples', () => {
  expect(SAY_VOICES).toEqual(expect.arrayContaining(['Polly.Joanna', 'Polly.Joanna-Neural', 'Google.en-US-Standard-C', 'man', 'woman']));
});

// Issue 19 item 6: which voice speaks which language (Twilio's text-to-speech table; say-voices.ts names it).
describe('voices and languages as Twilio pairs them', () => {
  const languages: ReadonlySet<string> = new Set(SAY_LANGUAGES);

  test('every voice the library offers knows its languages, and every Polly voice has a row of its own', () => {
    for (const voice of SAY_VOICES) expect([voice, languagesOf(voice)?.length]).toEqual([voice, expect.any(Number)]);
    for (const voice of SAY_VOICES.filter((v) => v.startsWith('Polly.'))) expect(Object.keys(POLLY_LANGUAGES)).toContain(pollyName(voice));
    expect(Object.keys(POLLY_LANGUAGES).sort()).toEqual([...new Set(SAY_VOICES.filter((v) => v.startsWith('Polly.')).map(pollyName))].sort());
  });

  test('each voice can be given one of its languages (all tags the library accepts, but Hiujin\'s yue-CN)', () => {
    const unreachable = SAY_VOICES.filter((v) => !languagesOf(v)!.some((l) => languages.has(l)));
    // Google voices whose locale the library's SayLanguage lacks speak only without a language, as Hiujin does.
    expect(unreachable.filter((v) => !v.startsWith('Google.'))).toEqual(['Polly.Hiujin-Neural']);
    for (const l of [...BASIC_VOICE_LANGUAGES, ...ALICE_LANGUAGES]) expect(languages).toContain(l);
  });

  test.each([
    ['Polly.Joanna', 'en-US'], ['Polly.Joanna-Neural', 'en-US'], ['Polly.Joanna-Generative', 'en-US'], ['Polly.Amy', 'en-GB'],
    ['Polly.Aditi', 'hi-IN'], ['Polly.Aditi', 'en-IN'], ['Polly.Geraint', 'en-GB-WLS'], ['Polly.Zeina', 'arb'], ['Polly.Mía-Generative', 'es-MX'],
    ['Polly.Miguel', 'es-US'], ['man', 'en-US'], ['man', 'fr-FR'], ['woman', 'de-DE'], ['woman', 'es-MX'], ['alice', 'ja-JP'],
    ['Google.en-US-Standard-C', 'en-US'], ['Google.fil-ph-Neural2-A', 'fil-PH'], ['Google.cmn-CN-Standard-A', 'cmn-CN'],
  ])('%s speaks %s', (voice, language) => {
    expect(pairingProblem(voice, language)).toBeUndefined();
  });

  test.each([
    ['Polly.Joanna', 'en-GB'], ['Polly.Amy', 'en-US'], ['Polly.Joanna-Neural', 'fr-FR'], ['Polly.Hiujin-Neural', 'zh-HK'],
    ['man', 'ja-JP'], ['woman', 'pt-BR'], ['man', 'en-AU'], ['alice', 'ar-AE'], ['Google.en-US-Standard-C', 'en-GB'],
  ])('%s does not speak %s', (voice, language) => {
    expect(pairingProblem(voice, language)).toMatch(new RegExp(`^voice ${voice.replace('.', '\\.')} speaks only .*not ${language}`));
  });

  test('no language is the voice\'s own; no voice is the account\'s default, which any tag may suit', () => {
    for (const voice of SAY_VOICES) expect(pairingProblem(voice, undefined)).toBeUndefined();
    expect(pairingProblem(undefined, 'ja-JP')).toBeUndefined();
  });
});
