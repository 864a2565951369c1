// What the two servers on a developer's machine check before doing any work, in one place: the local
// stack (local/server.ts) and the dashboard proxy (local/dashboard-proxy.ts).
//
// Host (DNS rebinding). A page on another site can make its own host name resolve to 127.0.0.1; its
// scripts then reach the server as if they were same-origin, and read and write through it. The request
// still names the attacker's host in `Host`, so a server on loopback answers only requests addressed to
// it by a name that can only mean this machine: `127.0.0.1`, `localhost` or `[::1]` at its own port (and
// the address it was told to listen on). Anything else is 421 Misdirected Request: the request reached
// a server that does not serve that name (RFC 9110 section 15.5.20), which is exactly the case.
//
// Body size. A body is read with a cap and the reading stops at it: the rest is never buffered, the
// answer is a 413 and the connection is closed after it.
import type { IncomingMessage, ServerResponse } from 'node:http';

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WILDCARDS = new Set(['0.0.0.0', '::', '[::]']);

/** The `Host` values a server listening on `port` (and `listenHost`, when it is a specific address) answers. */
export function ownHosts(port: number, listenHost?: string): string[] {
  const names = [...LOOPBACK_NAMES];
  if (listenHost && !WILDCARDS.has(listenHost)) {
    const name = listenHost.includes(':') && !listenHost.startsWith('[') ? `[${listenHost}]` : listenHost;
    if (!names.includes(name.toLowerCase())) names.push(name.toLowerCase());
  }
  // A browser leaves out a port that is the scheme's default (http, 80).
  return names.flatMap((name) => (port === 80 ? [`${name}:80`, name] : [`${name}:${port}`]));
}

/** The `Host` values a request to a public base URL (PUBLIC_URL) carries: with and without its default port. */
export function hostsOfUrl(url: string | undefined): string[] {
  if (!url) return [];
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return [];
  }
  const host = parsed.host.toLowerCase();
  return parsed.port ? [host] : [host, `${host}:${parsed.protocol === 'https:' ? 443 : 80}`];
}

/** Whether the request's `Host` is one of `allowed` (host names are case-insensitive). */
export function isAddressedTo(req: Pick<IncomingMessage, 'headers'>, allowed: readonly string[]): boolean {
  const host = req.headers.host;
  return host !== undefined && allowed.includes(host.trim().toLowerCase());
}

export function sendJsonError(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ error: { code, message } }));
}

/**
 * Answers 421 unless the request is addressed to this server: true when it was refused. `port` names the
 * loopback addresses the message offers (the listening port).
 */
export function refuseMisdirected(req: IncomingMessage, res: ServerResponse, allowed: readonly string[], port: number): boolean {
  if (isAddressedTo(req, allowed)) return false;
  const named = req.headers.host === undefined ? 'no host' : JSON.stringify(req.headers.host);
  sendJsonError(
    res,
    421,
    'misdirected_request',
    `this server answers only requests addressed to it as 127.0.0.1:${port}, localhost:${port} or [::1]:${port}, not to ${named} (a web page on another host name is not let in)`,
    { connection: 'close' },
  );
  return true;
}

/**
 * The request's body, or undefined once it passes `maxBytes`: a declared Content-Length over the cap is
 * refused before anything is read, a chunked body as soon as the cap is passed. Nothing past the cap is
 * kept. The caller answers 413 with `closeAfter` so the connection is not reused for the unread rest.
 */
export function readCappedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      if (over) return;
      size += chunk.length;
      if (size > maxBytes) {
        over = true;
        chunks.length = 0;
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => {
      if (!over) resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

/** Headers for an answer that leaves part of the request unread: the connection ends with it. */
export const closeAfter = { connection: 'close' } as const;
