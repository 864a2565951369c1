// The names people give things (users, groups, flows, numbers): shown in lists, reports and alerts, so a
// name must hold something a person can see.
import { z } from 'zod';
import { XML_TEXT, XML_TEXT_RULE } from './xml-text';

export const MAX_NAME = 200;

/**
 * Characters that show nothing on their own: whitespace, control and format characters (zero-width
 * space and joiners, the byte-order mark, bidi marks), unassigned code points, lone surrogates, combining
 * marks without a base, and the "blank" letters (Hangul fillers, the blank Braille pattern).
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Cn}\p{Cs}\p{M}\u115F\u1160\u2800\u3164\uFFA0]$/u;

/**
 * A name: trimmed, 1 to 200 characters, at least one of them visible, and none that XML cannot carry
 * (refused before trimming, like every text field). One reason per name, the first that applies.
 */
export const nameSchema = z
  .string()
  .regex(XML_TEXT, { message: XML_TEXT_RULE, abort: true })
  .trim()
  .max(MAX_NAME)
  .refine((name) => [...name].some((ch) => !INVISIBLE.test(ch)), {
    message: 'must contain a visible character (not only spaces, zero-width or control characters)',
  });
