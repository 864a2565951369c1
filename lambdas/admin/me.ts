// The signed-in person's own routes (DESIGN.md section 16): who they are, and the two things every role
// may change about themselves, availability and phone. Part of the admin API's table (routes.ts); the
// access table (access.ts) lets any signed-in caller through, and these routes act only on the directory
// user the caller's email links them to.
import { z } from 'zod';
import type { Me } from '../api-types';
import { NotFoundError } from '../errors';
import { E164 } from '../flows/schema';
import { accessOf, type AccessContext } from './access';
import { json, jsonBody, parseWith } from './http';
import * as people from './people';
import type { Route } from './router';

const meBody = z
  .strictObject({
    available: z.boolean().optional(),
    /** null removes the phone. */
    phone: z.string().regex(E164, 'must be an E.164 number like +15550100001').nullable().optional(),
  })
  .refine((b) => b.available !== undefined || b.phone !== undefined, 'give available, phone or both');

async function me(access: AccessContext): Promise<Me> {
  const { caller, deps } = access;
  const user = await access.linkedUser();
  const groups = user ? (await deps.directory.listGroups()).filter((g) => g.members.includes(user.id)) : [];
  return { via: caller.via, role: caller.role ?? null, email: caller.email ?? null, name: caller.name, user: user ?? null, groups };
}

async function linkedOrThrow(access: AccessContext) {
  const user = await access.linkedUser();
  if (!user) {
    throw new NotFoundError(
      access.caller.email ? `a directory user with your email (${access.caller.email})` : 'a directory user for this caller (it has no email)',
    );
  }
  return user;
}

export const meRoutes: Route[] = [
  { method: 'GET', path: ['me'], run: async (d, e) => json(200, await me(accessOf(e, d))) },
  {
    method: 'PUT',
    path: ['me'],
    run: async (d, e) => {
      const access = accessOf(e, d);
      const body = parseWith(meBody, jsonBody(e));
      const user = await linkedOrThrow(access);
      const { id, ...input } = user;
      const phone = body.phone === undefined ? input.phone : (body.phone ?? undefined);
      // The same use case as PUT /api/users/{id}: a phone that would break a published flow is refused (409).
      const updated = await people.updateUser(d, id, { ...input, phone, available: body.available ?? input.available });
      return json(200, { ...(await me(access)), user: updated });
    },
  },
];
