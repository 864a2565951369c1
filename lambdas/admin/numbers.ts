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

/** How the list may be ordered: by number, up or down (the listed and noFlow indexes' sort key). */
export const NUMBER_SORTS = ['number', '-number'] as const;
export const MAX_SEARCH = 100;

/**
 * A search as typed, as the list matches it: digits in any format ("+1 (555) 010-0003", "0100003") become
 * the digits alone, matched inside the number's; anything else is matched, in lower case, inside the name
 * (and the digits). Empty: no search.
 */
export function searchTerm(q: string | undefined): string | undefined {
  const typed = (q ?? '').trim();
  if (!typed) return undefined;
  if (/\d/.test(typed) && /^[\d\s()+.\-/]+$/.test(typed)) return typed.replace(/\D/g, '');
  return typed.toLowerCase();
}

/**
 * `GET /api/numbers?q=&status=&sort=&limit=&cursor=`: one page of at most `limit` numbers with that status
 * that match the search, and `nextCursor` while there may be more. Pages follow the listed index (every
 * number; the noFlow index for `no_flow`), in number order or its reverse, so the order holds across pages
 * and 100,000 numbers are paged without a Scan. A page is read in pieces of at most the numbers still
 * wanted, so the cursor points exactly after the last number looked at and no number is skipped or
 * repeated. The search is a filter of the index (`contains` on the lower-case name and the digits) and a
 * status other than no_flow depends on the flow's parts, so both filter as they read: one request looks at
 * most `examined` numbers, and its page may come back short, even empty, with a cursor to go on from
 * (docs/data-model.md, pattern 9, says what that costs).
 */
export async function listNumbers(deps: AdminDeps, query: Record<string, string | undefined>, examined: number = NUMBERS_PAGE.examined): Promise<NumberList> {
  const { status, limit, cursor, q, sort } = query;
  const issues: Array<{ path: string; message: string }> = [];
  if (status !== undefined && !(NUMBER_STATUSES as readonly string[]).includes(status)) issues.push({ path: 'status', message: `must be one of ${NUMBER_STATUSES.join(', ')}` });
  if (limit !== undefined && !(/^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= NUMBERS_PAGE.max)) issues.push({ path: 'limit', message: `must be a whole number from 1 to ${NUMBERS_PAGE.max}` });
  if (sort !== undefined && !(NUMBER_SORTS as readonly string[]).includes(sort)) issues.push({ path: 'sort', message: `must be one of ${NUMBER_SORTS.join(', ')}` });
  if (q !== undefined && q.length > MAX_SEARCH) issues.push({ path: 'q', message: `must be at most ${MAX_SEARCH} characters` });
  if (issues.length) throw new ValidationError(issues);
  const wanted = limit === undefined ? NUMBERS_PAGE.default : Number(limit);
  const withoutFlow = status === 'no_flow';
  const descending = sort === '-number';
  const search = searchTerm(q);
  let after = cursor === undefined ? undefined : decodeCursor(cursor, withoutFlow);
  const heads = new Map<string, FlowHeadSummary>();
  const numbers: NumberRow[] = [];
  let looked = 0;
  // Unfiltered, a request reads just the numbers still wanted. Filtered, matches may be rare: it reads four
  // times that, then twice as many each time, up to `examined`, and keeps only what fills the page.
  const filtered = search !== undefined || (status !== undefined && !withoutFlow);
  let reading = filtered ? 4 * wanted : wanted;
  do {
    const page = await deps.numbers.page({ limit: Math.min(filtered ? reading : wanted - numbers.length, examined - looked), after, withoutFlow, search, descending });
    looked += page.examined;
    reading *= 2;
    const unknown = page.records.map((r) => r.flowId).filter((id): id is string => !!id && !heads.has(id));
    for (const head of await deps.flows.headSummaries(unknown)) heads.set(head.id, head);
    let full: NumberPageKey | undefined;
    for (const [i, r] of page.records.entries()) {
      const view = numberView(r, r.flowId ? heads.get(r.flowId) : undefined);
      if (!status || view.status === status) numbers.push(view);
      if (numbers.length === wanted) {
        // The page is full inside what was read: the next one starts right after this number (the same
        // key DynamoDB would have given had it stopped here).
        if (i < page.records.length - 1) full = withoutFlow ? { number: r.number, noFlow: '1' } : { number: r.number, listed: '1' };
        break;
      }
    }
    after = full ?? page.next;
  } while (after && numbers.length < wanted && looked < examined);
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
  const partition = withoutFlow ? 'noFlow' : 'listed';
  const fields = key && typeof key === 'object' && !Array.isArray(key) ? Object.keys(key).sort().join(',') : '';
  const { number } = (key ?? {}) as { number?: unknown };
  if (fields !== [partition, 'number'].sort().join(',') || typeof number !== 'string' || !E164.test(number)) throw refuse();
  if ((key as Record<string, unknown>)[partition] !== '1') throw refuse();
  return withoutFlow ? { number, noFlow: '1' } : { number, listed: '1' };
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
