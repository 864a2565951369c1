// Invitations (DESIGN.md section 16): an admin adds a person (name, email, role, phone) from Users & groups;
// the directory user and the account are created together, and removed together (DELETE /api/users/{id}).
// The account is Cognito's in AWS (AdminCreateUser emails the invitation), the local OpenID provider's
// with `npm start -- --auth` (the password is printed there); without sign-in there are no accounts, and an
// invitation adds the directory user alone. Admins only (lambdas/admin/access.ts: no rule opens it wider).
import { z } from 'zod';
import type { AccountDirectory } from '../accounts/accounts';
import { localAccounts } from '../accounts/accounts';
import { CognitoAccounts } from '../accounts/cognito-accounts';
import type { Role, User } from '../api-types';
import type { UserInput } from '../flows/people';
import * as people from './people';
import { ENV } from '../config/env';
import { ConflictError } from '../errors';
import { nameSchema } from '../flows/names';
import { E164 } from '../flows/schema';
import { findUserByEmail, ROLES } from './access';
import type { AdminDeps } from './flows';
import { json, jsonBody, parseWith } from './http';
import type { Route } from './router';

const invitationBody = z.strictObject({
  name: nameSchema,
  email: z.email().max(254),
  role: z.enum(ROLES),
  phone: z.string().regex(E164, 'must be an E.164 number like +15550100001').optional(),
});

/** `POST /api/invitations`. */
export interface InvitationResult {
  user: User;
  role: Role;
  /** False when there are no accounts to create (local mode without sign-in). */
  account: boolean;
}

let cognito: CognitoAccounts | undefined;
/** The deps' own (tests), else Cognito's when the pool is configured (AWS), else local mode's, if any. */
export function accountsOf(deps: AdminDeps): AccountDirectory | undefined {
  if (deps.accounts) return deps.accounts;
  const pool = process.env[ENV.userPoolId];
  if (pool) return (cognito ??= new CognitoAccounts(pool));
  return localAccounts();
}

export async function invitePerson(deps: AdminDeps, input: z.output<typeof invitationBody>): Promise<InvitationResult> {
  const email = input.email.trim().toLowerCase();
  const existing = await findUserByEmail(deps, email);
  // One person per email: the account is linked to the directory user by it.
  if (existing) throw new ConflictError(`${existing.name} (${existing.id}) already has the email ${email}`, [{ user: existing.id, email }]);
  // The directory user carries the role: it is the account's (docs/decisions.md, "One role per person").
  const user = await deps.directory.createUser({ name: input.name, email, ...(input.phone && { phone: input.phone }), available: true, role: input.role });
  const accounts = accountsOf(deps);
  if (accounts) {
    try {
      await accounts.invite({ email, name: input.name, role: input.role });
    } catch (err) {
      // Together or not at all: the user nobody can sign in as goes again.
      await deps.directory.deleteUser(user.id).catch(() => undefined);
      throw err;
    }
  }
  return { user, role: input.role, account: accounts !== undefined };
}

/**
 * Gives the account linked to `user` (by email) the user's role, if there is one: a role changed in Users &
 * groups is the account's at once (the admin API reads it from the directory user) and its Cognito group
 * follows, so a token's groups never say otherwise for long. False when there is no account to change.
 */
async function mirrorRole(deps: AdminDeps, user: User): Promise<boolean> {
  const accounts = accountsOf(deps);
  if (!accounts || !user.email) return false;
  return accounts.setRole(user.email.trim().toLowerCase(), user.role ?? 'member');
}

/** `POST /api/users`: a person added by hand whose email already has an account (the first admin, made in Cognito) gets the same role there. */
export async function addPerson(deps: AdminDeps, input: UserInput): Promise<User> {
  const user = await deps.directory.createUser(input);
  try {
    await mirrorRole(deps, user);
  } catch (err) {
    await deps.directory.deleteUser(user.id).catch(() => undefined);
    throw err;
  }
  return user;
}

/** `PUT /api/users/{id}`: a changed role (or email) is mirrored to the account; when that fails, the directory user is put back. */
export async function changePerson(deps: AdminDeps, id: string, input: UserInput): Promise<User> {
  const { id: _id, hasPin: _pin, ...before } = await deps.directory.getUser(id);
  const updated = await people.updateUser(deps, id, input);
  if ((updated.role ?? 'member') === (before.role ?? 'member') && updated.email === before.email) return updated;
  try {
    await mirrorRole(deps, updated);
  } catch (err) {
    await people.updateUser(deps, id, before).catch(() => undefined);
    throw err;
  }
  return updated;
}

/** Deletes the directory user (refused while flows or groups use them) and then the account of their email. */
export async function removePerson(deps: AdminDeps, id: string): Promise<void> {
  const user = await deps.directory.getUser(id);
  await deps.directory.deleteUser(id);
  if (user.email) await accountsOf(deps)?.remove(user.email);
}

export const invitationRoutes: Route[] = [
  { method: 'POST', path: ['invitations'], run: async (d, e) => json(201, await invitePerson(d, parseWith(invitationBody, jsonBody(e)))) },
];
