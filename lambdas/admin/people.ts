// User and group edits that published flows depend on (DESIGN.md section 4: "a group edit that would
// give a published flow an error is refused with 409, listing the flows"). A flow is checked when it is
// published; who a dial rings comes from the directory at call time, so an edit of a group's members or
// a user's phone and softphone can break a flow that passed: 11 nouns in a simultaneous ring, an empty
// group, a phone that is one of our own numbers.
//
// What it guarantees: the edit is checked, in the same request and before the write, against the current
// revision of every flow that names the user or group (directly, or through a group the user is in), and
// the write is conditioned on the version of the user or group the check saw (a concurrent edit of the
// same item makes it check again). Not covered: a flow published, or another user or group edited,
// between the check and the write (one DynamoDB round trip); the flow then shows the error on GET and
// its next publish is refused.
import { ConflictError } from '../errors';
import type { Directory, Group, GroupInput, User, UserInput } from '../flows/people';
import type { Problem, ProblemCode } from '../flows/problems';
import type { FlowHead } from '../store/flow-store';
import { checkAgainst, loadDirectoryAndHeads, type AdminDeps } from './flows';

/** Existence is the store's business (a 400 naming `members.N`, a 409 on delete): not this check's. */
const NOT_FROM_EDITS: ReadonlySet<ProblemCode> = new Set(['unknown_user', 'unknown_group', 'unknown_flow', 'unknown_schedule']);

/** A flow that an edit touched, with every problem it has once the edit is made. */
export interface FlowRecheck {
  flow: string;
  name: string;
  problems: Problem[];
}

export async function updateUser(deps: AdminDeps, id: string, input: UserInput): Promise<User> {
  return deps.directory.updateUser(id, input, async (before) => {
    // Only what a dial rings can break a flow: a new name, email or availability never does.
    if (before.phone === input.phone && before.client === input.client) return false;
    await refuseIfFlowsBreak(deps, (directory) => ({
      ...directory,
      users: new Map(directory.users).set(id, { ...input, id }),
    }), (head, directory) => head.users.includes(id) || head.groups.some((g) => directory.groups.get(g)?.members.includes(id)), `user ${before.id}`);
    return true;
  });
}

export async function updateGroup(deps: AdminDeps, id: string, input: GroupInput): Promise<Group> {
  return deps.directory.updateGroup(id, input, async (before) => {
    // A rename changes nothing a flow rings (and a group save is conditioned on its version anyway).
    if (sameMembers(before.members, input.members)) return false;
    await refuseIfFlowsBreak(deps, (directory) => ({
      ...directory,
      groups: new Map(directory.groups).set(id, { ...input, id }),
    }), (head) => head.groups.includes(id), `group ${before.id}`);
    return true;
  });
}

const sameMembers = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((m, i) => m === b[i]);

/**
 * Checks every flow that `uses` the item with today's directory and with the edited one; refuses (409)
 * when the edit gives any of them an error it does not have today (a flow already in error, say
 * published before a rule existed, is not a reason to block unrelated edits). Otherwise answers what
 * each of those flows looks like after the edit (its problems, warnings included).
 */
export async function refuseIfFlowsBreak(
  deps: AdminDeps,
  edit: (directory: Directory) => Directory,
  uses: (head: FlowHead, directory: Directory) => boolean,
  what: string,
): Promise<FlowRecheck[]> {
  const { directory, heads } = await loadDirectoryAndHeads(deps);
  const edited = edit(directory);
  // The flows share most of the numbers they reach: each is looked up once for all the checks.
  const lookups = new Map<string, Promise<boolean>>();
  const affected = heads.filter((h) => uses(h, directory) || uses(h, edited));
  const checked = (
    await Promise.all(
      affected.map(async (head) => {
        const current = await deps.flows.getCurrent(head.id);
        if (!current) return undefined;
        // Redirects do not depend on people or schedules: not read again here.
        const [now, then] = await Promise.all([
          checkAgainst(deps, current.document, directory, { flowId: head.id, redirects: false, lookups }),
          checkAgainst(deps, current.document, edited, { flowId: head.id, redirects: false, lookups }),
        ]);
        const known = new Set(errorsOf(now).map(keyOf));
        const added = errorsOf(then).filter((p) => !known.has(keyOf(p)));
        return { flow: head.id, name: head.name, problems: then, added };
      }),
    )
  ).filter((b) => b !== undefined);
  const broken = checked.filter((b) => b.added.length > 0);
  if (broken.length) {
    throw new ConflictError(
      `this change to ${what} would give published flow(s) errors: ` +
        broken.map((b) => `${b.flow} (${b.name}): ${b.added.map((p) => p.message).join(' ')}`).join('; '),
      broken.map((b) => ({ flow: b.flow, name: b.name, problems: b.added })),
    );
  }
  return checked.map(({ flow, name, problems }) => ({ flow, name, problems }));
}

const errorsOf = (problems: Problem[]) => problems.filter((p) => p.severity === 'error' && !NOT_FROM_EDITS.has(p.code));
/** The same error on the same applet: an edit that only changes its numbers (12 nouns → 13) breaks nothing new. */
const keyOf = (p: Problem) => `${p.channel}|${p.code}|${p.applet ?? ''}`;
