// Paging as Twilio pages its lists, for the Twilio-compatible server (local/fake-twilio.ts): `PageSize`
// 1–1000 (default 50; anything else a 400), `Page` as client state, and `PageToken`, which the next-page
// link carries and which says where the next page starts: after the last item of the page before, so a
// page read again (a sync resuming after a failure) is the same page even if items were added before it.
// The links keep the list's filters, as Twilio's do. The 2010 API answers paths relative to its host
// (`next_page_uri`); the v1 and v2 APIs answer absolute URLs on Twilio's own hosts in `meta` (`next_page_url`),
// which the carrier link's client sends to TWILIO_API_URL as it does every Twilio host.
import { TwilioError } from './fake-twilio-wire';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** One item of a list: what its page token is made of, and the order lists are read in. */
export interface Pageable {
  sid: string;
  /** Position in creation order; never reused, so a token survives its item being deleted. */
  seq: number;
}

interface PageRequest {
  pageSize: number;
  page: number;
  /** Where the page starts: after the item at this `seq` (PA token), before it (PB token), or at an offset (Page alone). */
  after?: number;
  before?: number;
  offset: number;
}

/** Twilio's tokens: `PA` + the SID of the last item of the page before (next), `PB` + the first of the page after (previous). */
const nextToken = (item: Pageable) => `PA${item.sid}`;
const previousToken = (item: Pageable) => `PB${item.sid}`;

/**
 * Reads PageSize, Page and PageToken; bad ones are Twilio's 400 (20001). `seqOf` finds the position of the
 * SID in a token, deleted items included.
 */
export function pageRequest(url: URL, seqOf: (sid: string) => number | undefined): PageRequest {
  const raw = url.searchParams.get('PageSize');
  const pageSize = raw === null ? DEFAULT_PAGE_SIZE : Number(raw);
  if ((raw !== null && !/^\d+$/.test(raw)) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new TwilioError(400, 20001, `Invalid PageSize: ${raw}. PageSize must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  const rawPage = url.searchParams.get('Page') ?? '0';
  if (!/^\d+$/.test(rawPage)) throw new TwilioError(400, 20001, `Invalid Page: ${rawPage}`);
  const page = Number(rawPage);
  const token = url.searchParams.get('PageToken');
  if (token === null) return { pageSize, page, offset: page * pageSize };
  const match = /^P([AB])([A-Z]{2}[0-9a-f]{32})$/.exec(token);
  const seq = match ? seqOf(match[2]) : undefined;
  if (!match || seq === undefined) throw new TwilioError(400, 20001, `Invalid PageToken: ${token}`);
  return match[1] === 'A' ? { pageSize, page, after: seq, offset: 0 } : { pageSize, page, before: seq, offset: 0 };
}

function slice<T extends Pageable>(items: readonly T[], req: PageRequest): { slice: T[]; start: number; more: boolean } {
  const sorted = [...items].sort((a, b) => a.seq - b.seq);
  let from: number;
  if (req.after !== undefined) {
    const at = sorted.findIndex((i) => i.seq > req.after!);
    from = at < 0 ? sorted.length : at;
  } else if (req.before !== undefined) {
    const at = sorted.findIndex((i) => i.seq >= req.before!);
    from = Math.max((at < 0 ? sorted.length : at) - req.pageSize, 0);
  } else from = req.offset;
  const page = sorted.slice(from, from + req.pageSize);
  return { slice: page, start: req.page * req.pageSize, more: from + req.pageSize < sorted.length };
}

/** The list's own query (its filters), without the paging parameters, in the order the request gave them. */
function filtersOf(url: URL): URLSearchParams {
  const filters = new URLSearchParams();
  for (const [k, v] of url.searchParams) if (!['PageSize', 'Page', 'PageToken'].includes(k)) filters.append(k, v);
  return filters;
}

function link(path: string, filters: URLSearchParams, pageSize: number, page: number, token?: string): string {
  const q = new URLSearchParams(filters);
  q.set('PageSize', String(pageSize));
  q.set('Page', String(page));
  if (token) q.set('PageToken', token);
  return `${path}?${q.toString()}`;
}

/** A page of a 2010 list resource: `{ [key]: items, first_page_uri, next_page_uri, … }`, URIs relative to the host. */
export function page2010<T extends Pageable>(url: URL, items: readonly T[], key: string, seqOf: (sid: string) => number | undefined, render: (item: T) => unknown) {
  const req = pageRequest(url, seqOf);
  const { slice: page, start, more } = slice(items, req);
  const filters = filtersOf(url);
  const path = url.pathname;
  return {
    [key]: page.map(render),
    first_page_uri: link(path, filters, req.pageSize, 0),
    next_page_uri: more ? link(path, filters, req.pageSize, req.page + 1, nextToken(page[page.length - 1])) : null,
    previous_page_uri: req.page > 0 && page.length ? link(path, filters, req.pageSize, req.page - 1, previousToken(page[0])) : null,
    page: req.page,
    page_size: req.pageSize,
    start,
    end: start + Math.max(page.length - 1, 0),
    uri: link(path, filters, req.pageSize, req.page, url.searchParams.get('PageToken') ?? undefined),
  };
}

/** A page of a v1 list resource: `{ [key]: items, meta: { page, page_size, first_page_url, next_page_url, … } }`, absolute URLs. */
export function pageV1<T extends Pageable>(base: string, url: URL, items: readonly T[], key: string, seqOf: (sid: string) => number | undefined, render: (item: T) => unknown) {
  const req = pageRequest(url, seqOf);
  const { slice: page, more } = slice(items, req);
  const filters = filtersOf(url);
  const path = `${base}${url.pathname}`;
  return {
    [key]: page.map(render),
    meta: {
      page: req.page,
      page_size: req.pageSize,
      first_page_url: link(path, filters, req.pageSize, 0),
      previous_page_url: req.page > 0 && page.length ? link(path, filters, req.pageSize, req.page - 1, previousToken(page[0])) : null,
      url: link(path, filters, req.pageSize, req.page, url.searchParams.get('PageToken') ?? undefined),
      next_page_url: more ? link(path, filters, req.pageSize, req.page + 1, nextToken(page[page.length - 1])) : null,
      key,
    },
  };
}
