// The `caller` applet: route on who is calling (or texting). Shared by calls and texts.
import type { AppletOf } from './schema';

/**
 * What Twilio puts in `From` when the caller withheld their number: words, or numbers that spell
 * them on a keypad (+266696687 ANONYMOUS, +7378742833 RESTRICTED, +2562533 BLOCKED, +8656696 UNKNOWN,
 * +86282452253 UNAVAILABLE).
 */
const WITHHELD = new Set([
  'anonymous', 'restricted', 'blocked', 'unknown', 'unavailable', 'private', 'withheld',
  '266696687', '7378742833', '2562533', '8656696', '86282452253',
]);

export function isAnonymousCaller(from: string | undefined): boolean {
  const value = (from ?? '').trim().toLowerCase().replace(/^\+/, '');
  return value === '' || WITHHELD.has(value);
}

/**
 * The target of the first rule the caller matches, else `otherwise` ("" when unset).
 * A rule matches when any of its criteria does. A withheld number only matches `anonymous` rules:
 * its stand-in digits (+266...) must not match a `+2` prefix.
 */
export function matchCaller(applet: AppletOf<'caller'>, from: string | undefined): string | undefined {
  const anonymous = isAnonymousCaller(from);
  const caller = (from ?? '').trim();
  const rule = applet.rules.find((r) =>
    anonymous
      ? r.anonymous === true
      : (r.numbers ?? []).includes(caller) || (r.prefixes ?? []).some((p) => caller.startsWith(p)),
  );
  return rule ? rule.next : applet.otherwise;
}
