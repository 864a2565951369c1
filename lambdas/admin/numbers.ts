// Number use cases and the number view with its status (DESIGN.md section 1).
import type { NumberList, NumberRow } from '../api-types';
import { ValidationError } from '../errors';
import { NUMBER_STATUSES, numberStatus } from '../flows/number-status';
import { E164 } from '../flows/schema';
import type { FlowHead, FlowHeadSummary } from '../store/flow-store';
import type { NumberPageKey, NumberRecord } from '../store/number-store';
import type { AdminDeps } from './flows';

export function numberView(record: NumberRecord, flow: Pick<FlowHead, 'name' | 'hasCall' | 'hasSms'> | undefined): NumberRow {
  return {
    number: record.number,
    name: record.name,
    flowId: record.flowId ?? null,
    flowName: flow?.name ?? null,
    status: numberStatus(record.flowId ? flow : undefined),
    since: record.since,
    ...(record.assignedBy && { assignedBy: record.assignedBy }),
  };
}

async function view(deps: AdminDeps, record: NumberRecord): Promise<NumberRow> {
  return numberView(record, record.flowId ? await deps.flows.findHead(record.flowId) : undefined);
}

/**
 * `examined`: the most numbers one request looks at to fill a page. A status other than no_flow is
 * filtered as the table is read, so a rare status in a large table would otherwise read it all in one
 * request (past API Gateway's 30 s); the page then comes back short, with a cursor to go on from.
 */
export const NUMBERS_PAGE = { default: 100, max: 1000, examined: 5000 } as const;

/**
 * `GET /api/numbers?status=&limit=&cursor=`: one page of at most `limit` numbers with that status, and
 * `nextCursor` while there may be more. A page is read in pieces of at most the numbers still wanted,
 * so the cursor points exactly after the last number looked at and no number is skipped or repeated:
 * pages follow the table's order (the noFlow index's, by number, for `no_flow`), each page sorted by
 * number. A status other than no_flow depends on the flow's parts, so the page filters as it reads; a
 * last page may come back short, even empty, with no nextCursor; so may any page once it has looked at
 * `examined` numbers, with a nextCursor.
 */
export async function listNumbers(deps: AdminDeps, query: Record<string, string | undefined>, examined: number = NUMBERS_PAGE.examined): Promise<NumberList> {
  const { status, limit, cursor } = query;
  if (status !== undefined && !(NUMBER_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError([{ path: 'status', message: `must be one of ${NUMBER_STATUSES.join(', ')}` }]);
  }
  if (limit !== undefined && !(/^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= NUMBERS_PAGE.max)) {
    throw new ValidationError([{ path: 'limit', message: `must be a whole number from 1 to ${NUMBERS_PAGE.max}` }]);
  }
  const wanted = limit === undefined ? NUMBERS_PAGE.default : Number(limit);
  const withoutFlow = status === 'no_flow';
  let after = cursor === undefined ? undefined : decodeCursor(cursor, withoutFlow);
  const heads = new Map<string, FlowHeadSummary>();
  const numbers: NumberRow[] = [];
  let looked = 0;
  do {
    const page = await deps.numbers.page({ limit: Math.min(wanted - numbers.length, examined - looked), after, withoutFlow });
    looked += page.records.length;
    const unknown = page.records.map((r) => r.flowId).filter((id): id is string => !!id && !heads.has(id));
    for (const head of await deps.flows.headSummaries(unknown)) heads.set(head.id, head);
    for (const r of page.records) {
      const view = numberView(r, r.flowId ? heads.get(r.flowId) : undefined);
      if (!status || view.status === status) numbers.push(view);
    }
    after = page.next;
  } while (after && numbers.length < wanted && looked < examined);
  numbers.sort((a, b) => a.number.localeCompare(b.number));
  return { numbers, ...(after ? { nextCursor: encodeCursor(after) } : {}) };
}

/** Opaque to clients: the page's LastEvaluatedKey as base64url JSON. */
const encodeCursor = (key: NumberPageKey) => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * A cursor this list gave out, or a 400 naming `cursor`: checked field by field, so a made-up one can
 * never reach DynamoDB as a key it refuses (a 500) or one from another index.
 */
function decodeCursor(cursor: string, withoutFlow: boolean): NumberPageKey {
  const refuse = () => new ValidationError([{ path: 'cursor', message: 'is not a cursor this list gave out (pass nextCursor from the previous page, with the same status)' }]);
  let key: unknown;
  try {
    if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw refuse();
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const fields = key && typeof key === 'object' && !Array.isArray(key) ? Object.keys(key).sort().join(',') : '';
  const { number, noFlow } = (key ?? {}) as { number?: unknown; noFlow?: unknown };
  if (fields !== (withoutFlow ? 'noFlow,number' : 'number') || typeof number !== 'string' || !E164.test(number)) throw refuse();
  if (withoutFlow && noFlow !== '1') throw refuse();
  return withoutFlow ? { number, noFlow: '1' } : { number };
}

export async function listFlowNumbers(deps: AdminDeps, flowId: string): Promise<NumberList> {
  const head = await deps.flows.getHead(flowId);
  return { numbers: (await deps.numbers.listByFlow(flowId)).map((r) => numberView(r, head)) };
}

export const getNumber = async (deps: AdminDeps, number: string) => view(deps, await deps.numbers.get(number));

export async function putNumber(deps: AdminDeps, number: string, input: { name?: string; flowId?: string }, by?: string) {
  const { created, record } = await deps.numbers.register(number, input.name, input.flowId, deps.now(), by);
  return { created, number: await view(deps, record) };
}

/** `by`: who assigns it (recorded as `assignedBy`). */
export const assignFlowToNumber = async (deps: AdminDeps, number: string, flowId: string, by?: string) =>
  view(deps, await deps.numbers.assign(number, flowId, deps.now(), by));

export const unassignFlowFromNumber = async (deps: AdminDeps, number: string, by?: string) =>
  view(deps, await deps.numbers.unassign(number, deps.now(), undefined, by));
