// The names people give things (users, groups, flows, numbers): shown in lists, reports and alerts, so a
// name must be something a person can see and read on one line.
import { z } from 'zod';

export const MAX_NAME = 200;

/**
 * Characters that show nothing on their own: whitespace, control and format characters (zero-width
 * space and joiners, the byte-order mark, bidi marks), unassigned code points, lone surrogates, combining
 * marks without a base, and the "blank" letters (Hangul fillers, the blank Braille pattern).
 */
const INVISIBLE = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Cn}\p{Cs}\p{M}\u115F\u1160\u2800\u3164\uFFA0]$/u;

/** Control characters (C0, DEL, C1) and lone surrogates: no place in a one-line name, and not storable as text. */
const UNPRINTABLE = /[\p{Cc}\p{Cs}]/u;

/** A name: trimmed, 1 to 200 characters, at least one of them visible, none of them a control character. */
export const nameSchema = z
  .string()
  .trim()
  .max(MAX_NAME)
  .refine((name) => [...name].some((ch) => !INVISIBLE.test(ch)), {
    message: 'must contain a visible character (not only spaces, zero-width or control characters)',
    abort: true,
  })
  .refine((name) => !UNPRINTABLE.test(name), 'must not contain control characters');
