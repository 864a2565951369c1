// The local OpenID provider's accounts (`npm start -- --auth`): what Cognito's user pool is in AWS. Each
// account is an email, a name, a role (Cognito's group) and a password, kept hashed with scrypt (node's
// crypto) and compared in constant time. Passwords are generated, printed at start or at the invitation,
// and never stored in the clear. In memory: a restart prints new passwords.
import { randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto';
import type { Role } from '../lambdas/api-types';

export interface LocalAccount {
  /** The token's `sub`: stable for the account's life, like a Cognito user's. */
  sub: string;
  email: string;
  name: string;
  role: Role;
}

interface Stored extends LocalAccount {
  salt: Buffer;
  hash: Buffer;
}

const hashOf = (password: string, salt: Buffer) => scryptSync(password, salt, 32);

/** A password a person can type: 4 groups of 4 letters and digits, no look-alikes (0/O, 1/l). */
export function generatePassword(): string {
  const alphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(16);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]);
  return [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
}

export class LocalAccounts {
  private readonly byEmail = new Map<string, Stored>();

  /** Adds (or replaces) the account of `email`; returns it with its new password. */
  add(input: Omit<LocalAccount, 'sub'>, password = generatePassword()): { account: LocalAccount; password: string } {
    const email = input.email.trim().toLowerCase();
    const salt = randomBytes(16);
    const stored: Stored = { sub: this.byEmail.get(email)?.sub ?? randomUUID(), email, name: input.name, role: input.role, salt, hash: hashOf(password, salt) };
    this.byEmail.set(email, stored);
    return { account: publicOf(stored), password };
  }

  /** Gives the account of `email` this role; false when there is none. */
  setRole(email: string, role: Role): boolean {
    const found = this.byEmail.get(email.trim().toLowerCase());
    if (found) found.role = role;
    return found !== undefined;
  }

  /** Returns whether there was one. */
  remove(email: string): boolean {
    return this.byEmail.delete(email.trim().toLowerCase());
  }

  find(email: string): LocalAccount | undefined {
    const found = this.byEmail.get(email.trim().toLowerCase());
    return found && publicOf(found);
  }

  bySub(sub: string): LocalAccount | undefined {
    for (const a of this.byEmail.values()) if (a.sub === sub) return publicOf(a);
    return undefined;
  }

  /** The account, when the password is its own. */
  verify(email: string, password: string): LocalAccount | undefined {
    const found = this.byEmail.get(email.trim().toLowerCase());
    // Hashed whatever the email: a wrong email costs as long as a wrong password.
    const hash = hashOf(password, found?.salt ?? Buffer.alloc(16));
    return found && timingSafeEqual(hash, found.hash) ? publicOf(found) : undefined;
  }

  list(): LocalAccount[] {
    return [...this.byEmail.values()].map(publicOf);
  }
}

const publicOf = ({ sub, email, name, role }: Stored): LocalAccount => ({ sub, email, name, role });
