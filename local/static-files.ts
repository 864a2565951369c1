// Serves the built dashboard (local/web-build.ts) next to the API: GET/HEAD of files under one folder,
// `/` as index.html. Kept apart from server.ts so the Lambda request path stays exactly as in AWS.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { dashboardCsp } from '../lambdas/config/dashboard-headers';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
};

/** The page's CSP (lambdas/config/dashboard-headers.ts: CloudFront sends the same, plus Cognito's origins). */
export const DASHBOARD_CSP = dashboardCsp();

export type StaticHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

/** A handler that answers the request and resolves true when it is for a file of `root`, false otherwise. */
export function staticFiles(root: string): StaticHandler {
  return async (req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://local').pathname);
    } catch {
      return false;
    }
    if (path === '/' || path === '/index.html') path = '/index.html';
    const file = normalize(join(root, path));
    if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return false;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return false;
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-length': String(info.size),
      // Rebuilt on every start under the same names: always revalidate.
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      ...(file.endsWith('.html') ? { 'content-security-policy': DASHBOARD_CSP } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return true;
  };
}
