// A prompt's language and voice as pickers of the pairs Twilio accepts (issue 20 item 5), from the same
// lists the schema checks (lambdas/flows/say-voices.ts): pick a language, then one of the voices that speak
// it. A stored pair Twilio would refuse (from before, or the JSON view) is shown as it is, with the reason.
import { languagesOf, pairingProblem, SAY_LANGUAGES, SAY_VOICES } from '../../lambdas/flows/say-voices';

const RETIRED = new Set(['alice']);

let displayNames: Intl.DisplayNames | undefined;
/** "en-US" → "English (United States) · en-US". */
export function languageName(tag: string): string {
  try {
    displayNames ??= new Intl.DisplayNames(['en'], { type: 'language' });
    const name = displayNames.of(tag);
    return name && name !== tag ? `${name} · ${tag}` : tag;
  } catch {
    return tag;
  }
}

/** Voices that speak `language` (all of them when none is chosen), by family, retired ones left out. */
export function voicesFor(language: string | undefined): Array<{ family: string; voices: string[] }> {
  const speaks = (v: string) => !language || (languagesOf(v) ?? []).some((l) => l.toLowerCase() === language.toLowerCase());
  const all = SAY_VOICES.filter((v) => !RETIRED.has(v) && speaks(v));
  return [
    { family: 'Basic', voices: all.filter((v) => v === 'man' || v === 'woman') },
    { family: 'Amazon Polly', voices: all.filter((v) => v.startsWith('Polly.')) },
    { family: 'Google', voices: all.filter((v) => v.startsWith('Google.')) },
  ].filter((g) => g.voices.length > 0);
}

export function VoicePicker({ id, voice, language, onChange, issue }: { id: string; voice?: string; language?: string; onChange: (voice: string | undefined, language: string | undefined) => void; issue?: string }) {
  const families = voicesFor(language);
  const problem = pairingProblem(voice, language) ? `${voice} does not speak ${languageName(language!)}: choose one of the voices listed for it.` : issue;
  const listed = !voice || families.some((f) => f.voices.includes(voice));
  return (
    <div class={`voice-picker${problem ? ' field-invalid' : ''}`}>
      <div class="field">
        <label for={`${id}-language`}>Language</label>
        <select id={`${id}-language`} value={language ?? ''} onChange={(e) => {
          const next = (e.target as HTMLSelectElement).value || undefined;
          // A voice that cannot speak the new language goes: the voice list now offers those that can.
          const keep = voice && (!next || (languagesOf(voice) ?? []).some((l) => l.toLowerCase() === next.toLowerCase())) ? voice : undefined;
          onChange(keep, next);
        }}>
          <option value="">The voice’s own language</option>
          {SAY_LANGUAGES.map((l) => (
            <option key={l} value={l}>
              {languageName(l)}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={`${id}-voice`}>Voice</label>
        <select
          id={`${id}-voice`}
          value={voice ?? ''}
          aria-invalid={problem ? 'true' : undefined}
          aria-describedby={problem ? `${id}-voice-error` : undefined}
          onChange={(e) => onChange((e.target as HTMLSelectElement).value || undefined, language)}
        >
          <option value="">The account’s default voice</option>
          {!listed && voice && <option value={voice}>{voice} (does not speak this language)</option>}
          {families.map((f) => (
            <optgroup key={f.family} label={f.family}>
              {f.voices.map((v) => (
                <option key={v} value={v}>
                  {v.replace(/^(Polly|Google)\./, '')}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
        {problem && (
          <span class="field-error" id={`${id}-voice-error`}>
            {problem}
          </span>
        )}
      </div>
    </div>
  );
}
