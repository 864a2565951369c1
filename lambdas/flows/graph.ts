// The graph of a flow part: applets are the nodes, branches to applets of the part the edges. One walk of
// it serves the checker (unreachable applets, loops, recording notices, redirects), the dashboard summary
// (applet types in path order) and the editor's diagram (web/src/flow-model.ts imports this module as a
// value, so it stays pure: no Node, no zod at run time — applets.ts has no schema either).
import { branchesOf } from './applets';
import type { Applet } from './schema';

/**
 * What the walk reads of a part. The editor's drafts (web/src/types.ts) are looser than a FlowPart, so an
 * applet only needs its type here; its branches are read as branchesOf reads them.
 */
export interface PartGraph<A extends { type: string } = Applet> {
  readonly start: string;
  readonly applets: Readonly<Record<string, A>>;
}

/**
 * Whether `id` names one of the part's applets. Own keys only: with `in` or a plain lookup, "toString" or
 * "constructor" would find an inherited function and pass for an applet (a call would dead-end there, the
 * diagram would draw an edge to a node that does not exist), and "__proto__" would find the prototype.
 */
export const isApplet = (part: PartGraph<{ type: string }>, id: string | undefined): id is string =>
  id !== undefined && id !== '' && Object.hasOwn(part.applets, id);

/** Where a branch leads: to an applet of the part, nowhere (empty: a dead end), or to an id that is no applet. */
export type BranchEnd = 'applet' | 'empty' | 'unknown';

export interface Link {
  /** The checker's name for the branch: next, fallback, options.1, rules.0.next... */
  branch: string;
  target: string | undefined;
  leadsTo: BranchEnd;
}

/** The branches of `applet` in their declared order, each with where it leads in `part`. */
export function linksOf<A extends { type: string }>(part: PartGraph<A>, applet: NoInfer<A>): Link[] {
  // A draft applet of the editor is read as the schema's: branchesOf reads only the branch fields.
  return branchesOf(applet as unknown as Applet).map(({ branch, target }) => ({
    branch,
    target,
    leadsTo: !target ? 'empty' : isApplet(part, target) ? 'applet' : 'unknown',
  }));
}

/** The applets the branches of `applet` lead to, in branch order (empty and unknown branches left out). */
export const successors = <A extends { type: string }>(part: PartGraph<A>, applet: NoInfer<A>): string[] =>
  linksOf(part, applet).flatMap((l) => (l.leadsTo === 'applet' ? [l.target!] : []));

export interface WalkOptions<A> {
  /**
   * `breadth` (the default): the applets nearest to start first — "the one a call meets first".
   * `depth`: each branch followed to its end before the next, in declared order — a path as a reader follows it.
   */
  order?: 'breadth' | 'depth';
  /** Whether the walk goes on past an applet it reached (default: always). The applet itself is listed either way. */
  through?: (applet: A, id: string) => boolean;
}

/** The applets a walk from start reaches, each once, in the order reached; none when start is not an applet. */
export function walk<A extends { type: string }>(part: PartGraph<A>, options: WalkOptions<A> = {}): string[] {
  const depthFirst = options.order === 'depth';
  const seen = new Set<string>();
  const reached: string[] = [];
  const pending = [part.start];
  while (pending.length > 0) {
    // Depth first takes the newest (branches go in reversed, so the first branch comes next); breadth first the oldest.
    const id = depthFirst ? pending.pop()! : pending.shift()!;
    if (seen.has(id) || !isApplet(part, id)) continue;
    seen.add(id);
    reached.push(id);
    const applet = part.applets[id];
    if (options.through && !options.through(applet, id)) continue;
    const next = successors(part, applet);
    pending.push(...(depthFirst ? next.reverse() : next));
  }
  return reached;
}

/** The applets no path from start reaches, in document order (every applet when start is not an applet). */
export function unreachable<A extends { type: string }>(part: PartGraph<A>): string[] {
  const reached = new Set(walk(part));
  return Object.keys(part.applets).filter((id) => !reached.has(id));
}
