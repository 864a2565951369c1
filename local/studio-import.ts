// `npm run import -- studio ...` (bin/import.ts): Studio flows into Switchboard through the admin API of the
// local stack or a deployed one (DESIGN.md section 18). From a file, or from the Twilio account
// (`--from-twilio`: the admin API lists the account's Studio flows with the twilio library's client), each
// flow is imported and its report printed; a flow the checker passes is created, and with `--take-over` the
// numbers its Studio flow served move to it. What the admin API answers is printed as it says it.
import { readFile } from 'node:fs/promises';
import type { Group, Problem, StudioFlowDetail, StudioFlowList, StudioFlowSummary, StudioImportAnswer, StudioImportEntry, StudioTakeOver, User } from '../lambdas/api-types';

/** One request to the admin API: its status and JSON body; throws only when the server cannot be reached. */
export type AdminRequest = (method: 'GET' | 'POST', path: string, body?: unknown) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the admin API's JSON, read by the answer types below

export interface ImportOptions {
  name?: string;
  /** A user or group, by id or name (`user:` or `group:` to say which). */
  mailbox?: string;
  /** Import and report, create nothing. */
  dryRun?: boolean;
  /** After creating the flow, move the Studio flow's numbers to it (from the account only). */
  takeOver?: boolean;
}

/** What one flow's import came to: printed, or given as JSON with --json. */
export interface ImportOutcome {
  source: string;
  studioFlow?: Pick<StudioFlowSummary, 'sid' | 'friendlyName' | 'numbers'>;
  answer: StudioImportAnswer;
  created?: { id: string; revision: number };
  takeOver?: StudioTakeOver;
  /** Why the flow was not created (the checker's errors, or --dry-run). */
  notCreated?: string;
}

export class AdminApiError extends Error {}

async function ok<T>(request: AdminRequest, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const res = await request(method, path, body);
  if (res.status >= 300) {
    const error = res.body?.error as { message?: string; details?: Array<{ path?: string; message?: string }> } | undefined;
    const details = error?.details?.filter((d) => d.path !== undefined).map((d) => `\n  ${d.path || '(body)'}: ${d.message}`).join('') ?? '';
    throw new AdminApiError(`${method} ${path} answered ${res.status}: ${error?.message ?? JSON.stringify(res.body)}${details}`);
  }
  return res.body as T;
}

/** A Studio definition from a file: Studio's export, or a Flow resource as the REST API answers it (`{ definition }`). */
export async function readDefinition(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new AdminApiError(`cannot read ${file}: ${(err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new AdminApiError(`${file} is not JSON: ${(err as Error).message}`);
  }
  const wrapped = json as { definition?: unknown; states?: unknown };
  return wrapped && typeof wrapped === 'object' && wrapped.definition && typeof wrapped.definition === 'object' && !wrapped.states ? wrapped.definition : json;
}

/** `--mailbox Sales`, `--mailbox group:Sales` or an id: the one user or group it names. */
export async function resolveMailbox(request: AdminRequest, wanted: string): Promise<{ user: string } | { group: string }> {
  const [kind, key] = /^(user|group):/.test(wanted) ? [wanted.slice(0, wanted.indexOf(':')), wanted.slice(wanted.indexOf(':') + 1)] : [undefined, wanted];
  const { users } = await ok<{ users: User[] }>(request, 'GET', '/api/users');
  const { groups } = await ok<{ groups: Group[] }>(request, 'GET', '/api/groups');
  const matches = (e: { id: string; name: string }) => e.id === key || e.name.toLowerCase() === key.toLowerCase();
  const found = [
    ...(kind !== 'user' ? groups.filter(matches).map((g) => ({ group: g.id, label: `group ${g.name} (${g.id})` })) : []),
    ...(kind !== 'group' ? users.filter(matches).map((u) => ({ user: u.id, label: `user ${u.name} (${u.id})` })) : []),
  ];
  if (found.length === 1) {
    const { label: _label, ...mailbox } = found[0];
    return mailbox as { user: string } | { group: string };
  }
  const known = [...groups.map((g) => `group:${g.name}`), ...users.map((u) => `user:${u.name}`)].join(', ') || 'none yet';
  throw new AdminApiError(found.length
    ? `--mailbox ${wanted} names ${found.map((f) => f.label).join(' and ')}: say which with user: or group:`
    : `--mailbox ${wanted} names no user or group (there are: ${known})`);
}

/**
 * Imports one definition: the report and the checker's problems first, then, when the checker finds no
 * error and this is no dry run, the flow is created and (with takeOver and a Studio flow) takes its numbers.
 */
export async function importDefinition(
  request: AdminRequest,
  source: string,
  definition: unknown,
  options: ImportOptions & { mailboxRef?: { user: string } | { group: string } },
  studioFlow?: StudioFlowDetail,
): Promise<ImportOutcome> {
  const body = { format: 'studio', definition, ...(options.name && { name: options.name }), ...(options.mailboxRef && { mailbox: options.mailboxRef }) };
  const answer = await ok<StudioImportAnswer>(request, 'POST', '/api/flows/import', body);
  const outcome: ImportOutcome = { source, answer, ...(studioFlow && { studioFlow: { sid: studioFlow.sid, friendlyName: studioFlow.friendlyName, numbers: studioFlow.numbers } }) };
  const errors = answer.problems.filter((p) => p.severity === 'error').length;
  if (errors) return { ...outcome, notCreated: `the checker found ${errors} error${errors === 1 ? '' : 's'}: fix ${errors === 1 ? 'it' : 'them'} in Studio and import again, or create the flow from this document (--json) once fixed` };
  if (options.dryRun) return { ...outcome, notCreated: 'nothing is created with --dry-run' };
  const created = await ok<StudioImportAnswer>(request, 'POST', '/api/flows/import', { ...body, create: true });
  outcome.created = { id: created.id!, revision: created.revision! };
  if (options.takeOver && studioFlow) {
    outcome.takeOver = await ok<StudioTakeOver>(request, 'POST', `/api/carrier/studio-flows/${studioFlow.sid}/take-over`, { flowId: created.id });
  }
  return outcome;
}

export async function importFile(request: AdminRequest, file: string, options: ImportOptions): Promise<ImportOutcome> {
  const definition = await readDefinition(file);
  const mailboxRef = options.mailbox ? await resolveMailbox(request, options.mailbox) : undefined;
  return importDefinition(request, file, definition, { ...options, mailboxRef });
}

export const listStudioFlows = (request: AdminRequest) => ok<StudioFlowList>(request, 'GET', '/api/carrier/studio-flows');

/** The picked Studio flows of the account (all of them with `all`), each imported under its own name. */
export async function importFromTwilio(request: AdminRequest, sids: readonly string[], options: ImportOptions): Promise<ImportOutcome[]> {
  const mailboxRef = options.mailbox ? await resolveMailbox(request, options.mailbox) : undefined;
  const outcomes: ImportOutcome[] = [];
  for (const sid of sids) {
    const flow = await ok<StudioFlowDetail>(request, 'GET', `/api/carrier/studio-flows/${encodeURIComponent(sid)}`);
    outcomes.push(await importDefinition(request, `${flow.friendlyName} (${flow.sid})`, flow.definition, { ...options, name: options.name ?? flow.friendlyName, mailboxRef }, flow));
  }
  return outcomes;
}

// -------------------------------------------------------------------------------------------------
// What the command prints

const served = (n: StudioFlowSummary['numbers'][number]) => `${n.number} (${[n.voice && 'calls', n.sms && 'texts'].filter(Boolean).join(' and ')})`;

export function formatStudioFlows(flows: StudioFlowSummary[]): string {
  if (flows.length === 0) return 'The Twilio account has no Studio flows.';
  const rows = flows.map((f) => [f.sid, f.friendlyName, f.status, f.numbers.map(served).join(', ') || '(no number)']);
  const header = ['SID', 'NAME', 'STATUS', 'NUMBERS IT ANSWERS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n');
}

function entryLine(e: StudioImportEntry): string[] {
  const where = e.channel ? ` [${e.channel}]` : '';
  const head = e.status === 'mapped'
    ? `  mapped        ${e.widget} (${e.type}) → ${e.as === 'start' ? 'start' : `${e.as} ${e.applet}`}${where}`
    : `  NOT IMPORTED  ${e.widget} (${e.type})${where}: ${e.reason}${e.standIn === 'hangup' ? '; a hangup stands in its place' : e.standIn === 'end' ? '; the text flow ends there' : ''}`;
  return [head, ...(e.notes ?? []).map((n) => `                  · ${n}`)];
}

const problemLine = (p: Problem) => `  ${p.severity.padEnd(8)} ${p.channel.padEnd(5)} ${p.code}: ${p.message}`;

export function formatOutcome(o: ImportOutcome): string {
  const mapped = o.answer.report.filter((e) => e.status === 'mapped').length;
  const widgets = new Set(o.answer.report.map((e) => e.widget)).size;
  const lines = [`${o.source} → "${o.answer.document.name}": ${mapped} mapped, ${o.answer.report.length - mapped} not imported (${widgets} widgets).`];
  if (o.studioFlow) lines.push(`  The Studio flow answers ${o.studioFlow.numbers.map(served).join(', ') || 'no number'}.`);
  lines.push(...o.answer.report.flatMap(entryLine));
  const errors = o.answer.problems.filter((p) => p.severity === 'error');
  const warnings = o.answer.problems.filter((p) => p.severity === 'warning');
  lines.push(o.answer.problems.length ? `The checker: ${errors.length} error(s), ${warnings.length} warning(s).` : 'The checker: no problems.');
  lines.push(...errors.map(problemLine), ...warnings.map(problemLine));
  if (o.notCreated) lines.push(`Not created: ${o.notCreated}.`);
  if (o.created) lines.push(`Created flow "${o.answer.document.name}" (${o.created.id}, revision ${o.created.revision}).`);
  if (o.takeOver) {
    lines.push(o.takeOver.numbers.length
      ? `Took over ${o.takeOver.numbers.map((n) => `${n.number}${n.registered ? ' (registered now)' : ''}`).join(', ')}: on this flow, pointing here.`
      : 'No number answered by the Studio flow to take over.');
  }
  return lines.join('\n');
}
