// Characters XML 1.0 cannot carry (TWILIO.md): the TwiML builders throw on them, so a prompt holding one
// silences every call to its flow, and a text holding one used to land in `unrouted`. What users write is
// refused (the schemas); what the carrier sends is cleaned (lambdas/twilio/signature.ts, after the
// signature check). No zod here: the webhook bundles use the cleaning.

/**
 * U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF and lone surrogates. With the `u` flag a
 * surrogate pair is one code point above U+FFFF (allowed); only an unpaired half matches U+D800–U+DFFF.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is this pattern's purpose
const XML_ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;
const XML_ILLEGAL_ALL = new RegExp(XML_ILLEGAL.source, 'gu');
/** Whole strings free of them: for zod's `.regex` (it keeps the string schema chainable). */
export const XML_TEXT = new RegExp(`^(?:(?!${XML_ILLEGAL.source}).)*$`, 'su');
export const XML_TEXT_RULE =
  'must not contain characters XML cannot carry (U+0000-U+0008, U+000B, U+000C, U+000E-U+001F, U+FFFE, U+FFFF, lone surrogates)';

export const hasXmlIllegal = (text: string): boolean => XML_ILLEGAL.test(text);

/**
 * The text without them. Vertical tab and form feed separate words, so they become a space; the others
 * carry nothing a person reads and are dropped.
 */
export function stripXmlIllegal(text: string): string {
  if (!XML_ILLEGAL.test(text)) return text;
  return text.replace(XML_ILLEGAL_ALL, (c) => (c === '\u000B' || c === '\u000C' ? ' ' : ''));
}
