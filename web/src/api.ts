// Same-origin JSON calls to the admin API. Every write says `content-type: application/json` (the API
// refuses other types with 415), and every failure becomes an ApiError carrying the API's own message
// and field details, so the page can show them next to what caused them.
export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: unknown[] = [],
  ) {
    super(message);
  }

  /** The field issues of a 400 (`{ path, message }`), if any. */
  get fields(): FieldIssue[] {
    return this.details.filter((d): d is FieldIssue => typeof d === 'object' && d !== null && 'path' in d && 'message' in d);
  }
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
  etag?: string;
}

/** Sign-in (auth.ts): the token each request carries, and what a 401 does. Nothing when the dashboard is open. */
let authorization: { token: () => string | undefined; onUnauthorized: () => void } | undefined;
export function setAuthorization(value: typeof authorization): void {
  authorization = value;
}

/** GETs in flight, by path (see `get`). */
const inFlight = new Map<string, Promise<unknown>>();

export async function request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
  const write = method !== 'GET' && method !== 'HEAD';
  if (!write) return exchange<T>(method, path, body, headers, write);
  try {
    return await exchange<T>(method, path, body, headers, write);
  } finally {
    // What a GET still in flight will answer may predate this write: the reads after it must not join one.
    inFlight.clear();
  }
}

function bearer(): Record<string, string> {
  const token = authorization?.token();
  return token ? { authorization: `Bearer ${token}` } : {};
}

async function exchange<T>(method: string, path: string, body: unknown, headers: Record<string, string>, write: boolean): Promise<ApiAnswer<T>> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(write ? { 'content-type': 'application/json' } : {}), ...bearer(), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'unreachable', 'The Switchboard server cannot be reached. Is it still running?');
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (res.status === 401) authorization?.onUnauthorized();
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown[] } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(), error?.details ?? []);
  }
  return { status: res.status, body: parsed as T, etag: res.headers.get('etag') ?? undefined };
}

/**
 * GETs of one path that overlap share one request: the overview's report banner and its Numbers table both
 * read /api/report/unassigned on every view and after every edit, and each read lists the account's numbers
 * at the carrier. A GET that starts after the shared one ended, or after a write, asks again.
 */
export const get = <T>(path: string): Promise<T> => {
  let shared = inFlight.get(path) as Promise<T> | undefined;
  if (!shared) {
    shared = request<T>('GET', path).then((r) => r.body);
    inFlight.set(path, shared);
    const mine = shared;
    const done = () => inFlight.get(path) === mine && inFlight.delete(path);
    mine.then(done, done);
  }
  return shared;
};
export const send = async <T = unknown>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>) =>
  (await request<T>(method, path, body, headers)).body;

/** A phone number as one path segment (`+` must not become a space). */
export const phonePath = (number: string) => encodeURIComponent(number);

/** Whether requests carry a token (sign-in on): then media the API serves must be fetched, not linked. */
export const signedIn = (): boolean => authorization !== undefined;

/**
 * A binary answer of the admin API (a recording's audio) with the token, as a Blob: an `<audio src>` cannot
 * send `Authorization`. Failures are ApiErrors, as for JSON calls.
 */
export async function fetchMedia(path: string): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch(path, { headers: bearer(), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'unreachable', 'The Switchboard server cannot be reached. Is it still running?');
  }
  if (res.status === 401) authorization?.onUnauthorized();
  if (!res.ok) {
    let error: { code?: string; message?: string; details?: unknown[] } | undefined;
    try {
      error = ((await res.json()) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(), error?.details ?? []);
  }
  return res.blob();
}
