// What a flow document refers to and what it looks like at a glance: used when a revision is published.
import { branchesOf } from './branches';
import { referenceSites, type FlowDocument, type FlowPart, type ReferenceSite } from './schema';

export interface FlowReferences {
  users: string[];
  groups: string[];
  flows: string[];
}

/** Users, groups and flows the document names, sorted and unique. */
export function referencesOf(doc: FlowDocument): FlowReferences {
  const ids = (kind: ReferenceSite['kind']) => [...new Set(referenceSites(doc).filter((s) => s.kind === kind).map((s) => s.id))].sort();
  return { users: ids('user'), groups: ids('group'), flows: ids('flow') };
}

/** Applet types in path order from `start` (depth first, following branches in their declared order). */
export function appletTypesInPathOrder(part: FlowPart | undefined): string[] {
  if (!part) return [];
  const seen = new Set<string>();
  const types: string[] = [];
  const visit = (id: string | undefined) => {
    // Own keys only: "constructor" or "toString" must not find an inherited function.
    if (!id || seen.has(id) || !Object.hasOwn(part.applets, id)) return;
    const applet = part.applets[id];
    seen.add(id);
    types.push(applet.type);
    for (const { target } of branchesOf(applet)) visit(target);
  };
  visit(part.start);
  return types;
}
