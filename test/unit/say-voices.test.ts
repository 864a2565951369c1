// The voices and languages a prompt may name are exactly the twilio library's SayVoice and SayLanguage
// (lambdas/flows/say-voices.ts copies them so the webhook bundles never carry them).
import { readFileSync } from 'node:fs';
import { SAY_LANGUAGES, SAY_VOICES } from '../../lambdas/flows/say-voices';

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
