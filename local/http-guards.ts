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
// Other sites' pages (Fetch Metadata). An <img> or a form on any page can still send a request to
// 127.0.0.1 under the right Host; the browser marks it `Sec-Fetch-Site: cross-site` (or `same-site`), and
// the routes that act with the user's authority refuse it (403), reads included.
//
// Body size. A body is read with a cap and is not kept past it: the answer (413) goes out at once. What
// the client is still sending is read and dropped (up to 64 MB, then the connection is cut), because a
// client whose upload is cut off mid-way often never reads the answer (curl reports a send failure);
// a client that asked first (`Expect: 100-continue`) is refused before it sends anything.
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

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

/**
 * Who sent a request, as the browser says (Fetch Metadata): `cross-site` and `same-site` are pages of other
 * sites (another port of localhost is same-site); `same-origin` is the server's own page, `none` the user
 * (address bar, bookmark). Clients that are not browsers send nothing, and are let through.
 */
const FOREIGN_SITES = new Set(['cross-site', 'same-site']);

/**
 * Answers 403 when a browser says a page of another site sent the request (an <img>, a form, a fetch from
 * another origin), whatever the method: true when it was refused. For routes that act with the user's
 * authority: the dashboard proxy's /api/* (signed with the user's AWS credentials) and the local stack's
 * /api/* (no authentication; its carrier routes read Twilio with the account's credentials).
 */
export function refuseOtherSites(req: IncomingMessage, res: ServerResponse, who: string): boolean {
  const site = String(req.headers['sec-fetch-site'] ?? '').trim().toLowerCase();
  if (!FOREIGN_SITES.has(site)) return false;
  sendJsonError(res, 403, 'forbidden_site', `${who} answers only its own page; this ${req.method} came from a page of another site (Sec-Fetch-Site: ${site})`, unreadBody(req));
  return true;
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
    unreadBody(req),
  );
  return true;
}

/**
 * The request's body, or undefined once it passes `maxBytes`: a declared Content-Length over the cap is
 * refused before anything is read, a chunked body as soon as the cap is passed. Nothing past the cap is
 * kept; the caller answers at once, with the headers `unreadBody` gives.
 */
export function readCappedBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    if (declaredOver(req, maxBytes)) {
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const collect = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', collect);
      chunks.length = 0;
      resolve(undefined);
    };
    req.on('data', collect);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Whether the request says, in its Content-Length, that its body is over `maxBytes`. */
export function declaredOver(req: Pick<IncomingMessage, 'headers'>, maxBytes: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > maxBytes;
}

/** Requests told "100 Continue": their body is on its way. */
const continued = new WeakSet<IncomingMessage>();

/**
 * `Expect: 100-continue` (curl sends it before a body over 1 MB): the server says "continue" only to a
 * request it will read, so a client refused on its head alone (a foreign Host, a Content-Length over the
 * limit) gets the refusal and never sends its body. Either way the request then goes to the server's handler.
 */
export function continueOnlyWhen(server: Server, willRead: (req: IncomingMessage) => boolean): void {
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    if (willRead(req)) {
      continued.add(req);
      res.writeContinue();
    }
    server.emit('request', req, res);
  });
}

/** What is read and dropped of a body after answering without it, before the connection is cut. */
export const DROP_MAX_BYTES = 64 * 1024 * 1024;

/**
 * For an answer given before (the rest of) the body was read: the headers it needs. A client waiting for
 * "100 Continue" that was not told to continue sends no body: the connection simply closes after the
 * answer. Otherwise the body is on its way: what arrives is dropped, never kept, so the client finishes
 * sending and reads the answer, and the connection stays usable; past DROP_MAX_BYTES it is cut.
 */
export function unreadBody(req: IncomingMessage): Record<string, string> {
  if (/100-continue/i.test(String(req.headers.expect ?? '')) && !continued.has(req)) return { connection: 'close' };
  let dropped = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DROP_MAX_BYTES) req.socket?.destroy();
  });
  req.resume();
  return {};
}
