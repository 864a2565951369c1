// The dashboard's security headers, stated once for the two places that serve it: the local server
// (local/static-files.ts) and CloudFront (lib/dashboard-hosting.ts, a response headers policy).

/**
 * Same-origin only: scripts, styles and fonts from the dashboard's own origin; recordings and MMS media may
 * come from the carrier (https) or, locally, from loopback; a voicemail fetched with the sign-in token plays
 * from a blob: URL. The page cannot be framed (clickjacking on
 * admin writes). `connect` adds origins the page may fetch from besides its own: in AWS, Cognito's
 * (the OpenID discovery document and keys, and the managed login's token endpoint); locally the OpenID
 * provider is the server itself.
 */
export function dashboardCsp(connect: readonly string[] = []): string {
  return [
    "default-src 'self'",
    "img-src 'self' data: https: http://127.0.0.1:*",
    "media-src 'self' blob: https: http://127.0.0.1:*",
    "style-src 'self'",
    "script-src 'self'",
    ["connect-src 'self'", ...connect].join(' '),
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');
}
