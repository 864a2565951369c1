// `POST /api/flows/import` (DESIGN.md section 18): a Studio flow definition → the document, the import report
// and the checker's problems, creating nothing; with `create` the flow is published as revision 1 (refused
// with 422 while the checker finds errors, as any publish is). The mapping is lambdas/flows/studio-import.ts.
import { z } from 'zod';
import type { StudioImportAnswer } from '../api-types';
import { ValidationError } from '../errors';
import { nameSchema } from '../flows/names';
import type { Directory } from '../flows/people';
import { mailboxRefSchema, type MailboxRef } from '../flows/schema';
import { importStudioFlow, studioDefinitionSchema } from '../flows/studio-import';
import { checkAgainst, loadDirectory, publishFlow, type AdminDeps } from './flows';
import { parseWith } from './http';

export const importBodySchema = z.strictObject({
  format: z.literal('studio', { error: 'must be "studio" (the only format Switchboard imports)' }),
  definition: studioDefinitionSchema,
  name: nameSchema.optional(),
  /** Where the voicemails of the flow's record-voicemail widgets land. */
  mailbox: mailboxRefSchema.optional(),
  create: z.boolean().optional(),
});

export type ImportBody = z.infer<typeof importBodySchema>;

/** The mailbox must belong to someone: a voicemail to nobody would be lost (400 naming the field). */
function checkMailbox(mailbox: MailboxRef | undefined, directory: Directory): void {
  if (!mailbox) return;
  const [kind, id] = 'user' in mailbox ? (['user', mailbox.user] as const) : (['group', mailbox.group] as const);
  const known = kind === 'user' ? directory.users.has(id) : directory.groups.has(id);
  if (!known) throw new ValidationError([{ path: `mailbox.${kind}`, message: `there is no ${kind} "${id}"` }]);
}

export async function importFlow(deps: AdminDeps, body: unknown): Promise<{ created: boolean; answer: StudioImportAnswer }> {
  const input = parseWith(importBodySchema, body);
  const directory = await loadDirectory(deps);
  checkMailbox(input.mailbox, directory);
  const clients = new Map([...directory.users.values()].filter((u) => u.client).map((u) => [u.client!, u.id]));
  const { document, report } = importStudioFlow(input.definition, { name: input.name, mailbox: input.mailbox, clients });
  if (!input.create) {
    return { created: false, answer: { document, report, problems: await checkAgainst(deps, document, directory) } };
  }
  const published = await publishFlow(deps, undefined, document);
  return { created: true, answer: { id: published.id, revision: published.revision, document, report, problems: published.problems } };
}
