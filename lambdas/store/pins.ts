// Override PINs (DESIGN.md section 15): a per-user secret a text must end with to close or open a
// schedule. Stored only as a salted scrypt hash (node:crypto's KDF: no dependency, memory-hard), compared
// in constant time; the PIN itself is never stored, logged or read back.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** 4 to 12 digits: what a phone keypad types in a text. */
export const PIN = /^\d{4,12}$/;
export const PIN_RULE = 'must be 4 to 12 digits';

/**
 * 2^14 rounds, 16 MB: tens of milliseconds per check on a small Lambda, paid only by a text that is a
 * command, well within the webhook's answer deadline. A PIN's few digits are guarded online by the lockout
 * (flows/override-command.ts MAX_PIN_FAILURES), not by the KDF's cost; the cost and a per-PIN salt make a
 * leaked hash slow to reverse and useless for any other PIN. The parameters travel with each hash.
 */
const COST = { N: 2 ** 14, r: 8, p: 1 } as const;
const KEY_BYTES = 32;

const derive = (pin: string, salt: Buffer, options: ScryptOptions & { N: number; r: number; p: number }): Promise<Buffer> =>
  new Promise((resolve, reject) =>
    scrypt(pin, salt, KEY_BYTES, { ...options, maxmem: 256 * options.N * options.r }, (err, key) => (err ? reject(err) : resolve(key))),
  );

/** `scrypt$N$r$p$salt$hash` (base64url): the parameters travel with the hash, so they can be raised later. */
export async function hashPin(pin: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(pin, salt, COST);
  return ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** Whether `pin` is the one `stored` was made from; false for anything that is not such a hash. */
export async function verifyPin(pin: string, stored: string | undefined): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = (stored ?? '').split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const options = { N: Number(n), r: Number(r), p: Number(p) };
  if (![options.N, options.r, options.p].every(Number.isInteger) || expected.length !== KEY_BYTES) return false;
  const key = await derive(pin, Buffer.from(salt, 'base64url'), options);
  return timingSafeEqual(key, expected);
}
