// fetch for a deployed admin API (IAM authorization): signs each request with SigV4, using the caller's
// own AWS credentials from the SDK's default chain (env, profile, SSO...), as the dashboard proxy does
// (local/dashboard-proxy.ts, whose region rule it shares). Used by `npm run carrier -- --api`, on the IAM routes (/cli/api/*).
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Hash } from '@smithy/hash-node';
import { SignatureV4 } from '@smithy/signature-v4';
import { regionOf } from './dashboard-proxy';

type Send = (path: string, init: { method: string; body?: string; headers?: Record<string, string> }) => Promise<Response>;

export function signedFetch(apiUrl: string, region = regionOf(apiUrl) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION): Send {
  if (!region) throw new Error(`cannot tell the AWS region of ${new URL(apiUrl).host}: set AWS_REGION`);
  const base = new URL(apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`);
  const signer = new SignatureV4({ service: 'execute-api', region, credentials: defaultProvider(), sha256: Hash.bind(null, 'sha256') });
  return async (path, init) => {
    const url = new URL(path.replace(/^\//, ''), base);
    const signed = await signer.sign({
      method: init.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { host: url.host, ...init.headers },
      body: init.body,
    });
    return fetch(url, { method: init.method, headers: signed.headers as Record<string, string>, body: init.body });
  };
}
