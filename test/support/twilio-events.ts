// Builds the API Gateway HTTP API (payload v2) event that a Twilio webhook POST becomes, signed
// exactly as Twilio signs it.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signTwilioRequest } from '../../lambdas/twilio/signature';
import type { TwilioParams } from '../../lambdas/twilio/request';

export const TEST_AUTH_TOKEN = 'test-auth-token';
/** Base used when `url` is only a path: the event's domainName, so no PUBLIC_URL is needed to verify it. */
export const TEST_DOMAIN = 'abc123.execute-api.us-east-1.amazonaws.com';

export interface SignedTwilioEventOptions {
  /**
   * `https://host/path?query` or just `/path?query` (then on https://TEST_DOMAIN). The host becomes
   * requestContext.domainName; for an http:// URL verify with that base as PUBLIC_URL.
   */
  url: string;
  params: TwilioParams;
  authToken?: string;
  /** API Gateway base64-encodes some bodies; the handlers must decode them. */
  base64?: boolean;
  /** Extra or overriding headers (lowercase names, as API Gateway sends them). */
  headers?: Record<string, string>;
}

export function formBody(params: TwilioParams): string {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const v of Array.isArray(value) ? value : [value]) form.append(name, v);
  }
  return form.toString();
}

export function signedTwilioEvent(options: SignedTwilioEventOptions): APIGatewayProxyEventV2 {
  const url = options.url.startsWith('/') ? `https://${TEST_DOMAIN}${options.url}` : options.url;
  // Split without `new URL`, which would re-encode characters Twilio signed as they were.
  const match = /^(https?):\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?$/.exec(url);
  if (!match) throw new Error(`not an absolute http(s) URL: ${url}`);
  const [, , host, path, query = ''] = match;
  const rawPath = path || '/';
  const body = formBody(options.params);
  const now = new Date();
  return {
    version: '2.0',
    routeKey: `POST ${rawPath}`,
    rawPath,
    rawQueryString: query,
    headers: {
      host,
      'content-type': 'application/x-www-form-urlencoded',
      'user-agent': 'TwilioProxy/1.1',
      'x-twilio-signature': signTwilioRequest(url, options.params, options.authToken ?? TEST_AUTH_TOKEN),
      ...options.headers,
    },
    queryStringParameters: query ? queryStringParameters(query) : undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      domainName: host,
      domainPrefix: host.split('.')[0],
      http: { method: 'POST', path: rawPath, protocol: 'HTTP/1.1', sourceIp: '54.172.60.1', userAgent: 'TwilioProxy/1.1' },
      requestId: `req-${now.getTime()}`,
      routeKey: `POST ${rawPath}`,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: options.base64 ? Buffer.from(body, 'utf8').toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** As API Gateway fills it: repeated names joined with commas. */
function queryStringParameters(query: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query)) out[name] = name in out ? `${out[name]},${value}` : value;
  return out;
}
