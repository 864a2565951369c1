// fetch for a deployed admin API (IAM authorization): signs each request with SigV4, using the caller's
// own AWS credentials from the SDK's default chain (env, profile, SSO...). Used by `npm run carrier -- --api`.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

/** The SHA-256 the signer asks for, from node:crypto (the same algorithm the SDK's own hash uses). */
type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Data) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));

export class Sha256 {
  private hash: Hash | Hmac;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: Data) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
  update(data: Data): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.secret ? createHmac('sha256', this.secret) : createHash('sha256');
  }
}

/** The region of an execute-api URL (`https://id.execute-api.eu-west-1.amazonaws.com/`), else AWS_REGION. */
export function regionOf(url: URL): string {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com/.exec(url.hostname);
  const region = match?.[1] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error(`cannot tell the AWS region of ${url.host}: set AWS_REGION`);
  return region;
}

export function signedFetch(apiUrl: string): (path: string, init: { method: string; body?: string; headers?: Record<string, string> }) => Promise<Response> {
  const base = new URL(apiUrl);
  const signer = new SignatureV4({ credentials: defaultProvider(), region: regionOf(base), service: 'execute-api', sha256: Sha256 });
  return async (path, init) => {
    const url = new URL(path.replace(/^\//, ''), base.href.endsWith('/') ? base.href : `${base.href}/`);
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
