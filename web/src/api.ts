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

export async function request<T = unknown>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
  const write = method !== 'GET' && method !== 'HEAD';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { accept: 'application/json', ...(write ? { 'content-type': 'application/json' } : {}), ...headers },
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
  if (!res.ok) {
    const error = (parsed as { error?: { code?: string; message?: string; details?: unknown[] } } | undefined)?.error;
    throw new ApiError(res.status, error?.code ?? `http_${res.status}`, error?.message ?? `The server answered ${res.status} ${res.statusText}`.trim(), error?.details ?? []);
  }
  return { status: res.status, body: parsed as T, etag: res.headers.get('etag') ?? undefined };
}

export const get = async <T>(path: string) => (await request<T>('GET', path)).body;
export const send = async <T = unknown>(method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>) =>
  (await request<T>(method, path, body, headers)).body;

/** A phone number as one path segment (`+` must not become a space). */
export const phonePath = (number: string) => encodeURIComponent(number);
