// Facts about applets that the runtime needs without the zod schema (the webhook bundles stay small):
// the id and number formats, which types belong to which part, and each applet's branches.
import type { Applet, AppletOf, DialEntry } from './schema';

/**
 * Applet ids are keys of a plain object (`applets`), so the names of Object.prototype's own machinery are
 * refused: "__proto__" as a key is swallowed by the object (the applet silently vanishes), and
 * "constructor"/"prototype" would look up something that is not an applet.
 */
export const APPLET_ID = /^(?!(?:__proto__|constructor|prototype)$)[A-Za-z0-9_-]{1,64}$/;
export const APPLET_ID_RULE = 'applet ids are [A-Za-z0-9_-], 1-64 characters, and not __proto__, constructor or prototype';
/** E.164: "+", a country code that does not start with 0, and 8 to 15 digits in all (the shortest real numbers have 8). */
export const E164 = /^\+[1-9]\d{7,14}$/;
/** What one SMS carries (Twilio error 21617 past it): a reply's text, a forward, a notification. */
export const MAX_SMS_TEXT = 1600;
/** Twilio rings at most 10 nouns (each <Number> and <Client>) in one <Dial>. */
export const MAX_DIAL_NOUNS = 10;

export const CALL_APPLETS = ['say', 'menu', 'hours', 'caller', 'dial', 'voicemail', 'text', 'queue', 'redirect', 'hangup'] as const;
/** Twilio's limit on a queue's name (`<Enqueue>`). */
export const QUEUE_NAME_MAX = 64;
export const SMS_APPLETS = ['reply', 'hours', 'caller', 'keyword', 'inbox', 'forward'] as const;
/** Applets that end a path: every path from `start` must reach one. */
export const TERMINAL_APPLETS = ['voicemail', 'redirect', 'hangup', 'inbox', 'forward'] as const;

/** The branches an applet has, by name, with their targets ("" or undefined when not set). */
export function branchesOf(applet: Applet): Array<{ branch: string; target: string | undefined }> {
  switch (applet.type) {
    case 'say':
    case 'text':
    case 'reply':
      return [{ branch: 'next', target: applet.next }];
    case 'menu':
      return [
        ...Object.entries(applet.options).map(([key, target]) => ({ branch: `options.${key}`, target })),
        { branch: 'fallback', target: applet.fallback },
      ];
    case 'hours':
      return [
        { branch: 'open', target: applet.open },
        { branch: 'closed', target: applet.closed },
      ];
    case 'caller':
    case 'keyword':
      return [
        ...applet.rules.map((r, i) => ({ branch: `rules.${i}.next`, target: r.next })),
        { branch: 'otherwise', target: applet.otherwise },
      ];
    case 'dial':
      return [{ branch: 'noAnswer', target: applet.noAnswer }];
    case 'queue':
      return [{ branch: 'timeout', target: applet.timeout }];
    default:
      return [];
  }
}

/**
 * Who a dial rings, as one list in ringing order: its `targets`, or its single user, group or number.
 * A one-entry list is the old single-target dial, so every reader handles both with the same code.
 */
export function dialEntries(dial: AppletOf<'dial'>): DialEntry[] {
  if (dial.targets) return dial.targets;
  if (dial.user !== undefined) return [{ user: dial.user }];
  if (dial.group !== undefined) return [{ group: dial.group }];
  if (dial.number !== undefined) return [{ number: dial.number }];
  return [];
}

/** The list a dial's strategy orders (a group's members, or its `targets`): the key of its round-robin counter and sticky member. */
export function dialListKey(dial: AppletOf<'dial'>): string | undefined {
  return dial.targets ? 'targets' : dial.group;
}
