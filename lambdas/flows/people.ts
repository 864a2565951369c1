// Users and groups: who a dial rings and whose mailbox a message lands in.
import { z } from 'zod';
import { nameSchema } from './names';
import type { Schedule } from './schedule';
import { E164, xmlString } from './schema';
import { ROLES } from './roles';

/**
 * What a person may do (DESIGN.md section 16). The directory user's role IS their account's role
 * (docs/decisions.md, "One role per person"): set on invitation, mirrored to the account, and what lets an
 * `editor` or `admin` with a PIN close or open a schedule by text (section 15). Absent: member.
 */
export { ROLES, type Role } from './roles';

export const userInputSchema = z.strictObject({
  name: nameSchema,
  phone: z.string().regex(E164, 'must be an E.164 number like +15550100001').optional(),
  client: z.string().regex(/^[A-Za-z0-9_.@-]{1,128}$/, 'must be a client identity ([A-Za-z0-9_.@-], 1-128)').optional(),
  email: z.email().max(254).optional(),
  available: z.boolean().default(true),
  role: z.enum(ROLES).optional(),
});

/**
 * Saving a group is one DynamoDB transaction (at most 100 items): the group and one groupRefs update per
 * member added or removed, so replacing every member writes 1 + 49 + 49 = 99 items; deleting it 1 + 49.
 */
export const MAX_GROUP_MEMBERS = 49;

export const groupInputSchema = z.strictObject({
  name: nameSchema,
  members: z
    .array(xmlString().min(1).max(64))
    .max(MAX_GROUP_MEMBERS, `a group has at most ${MAX_GROUP_MEMBERS} members`)
    .default([])
    .refine((m) => new Set(m).size === m.length, 'a user appears only once in a group'),
});

export type UserInput = z.infer<typeof userInputSchema>;
export type GroupInput = z.infer<typeof groupInputSchema>;
export type User = UserInput & {
  id: string;
  /** Whether the user has an override PIN (the PIN itself is stored hashed and never read back). */
  hasPin?: boolean;
};
export type Group = GroupInput & { id: string };

/** What the checker and the engine need to know about people, without knowing where they are stored. */
export interface Directory {
  users: ReadonlyMap<string, User>;
  groups: ReadonlyMap<string, Group>;
  /** Ids of flows that exist (for `redirect`). */
  flowIds: ReadonlySet<string>;
  /** Shared schedules by id (for `hours` with `schedule`): `unknown_schedule` is checked only when known. */
  schedules?: ReadonlyMap<string, Schedule>;
}
