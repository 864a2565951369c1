// `npm run carrier -- --api`: admin requests to a deployed stack signed with SigV4 (IAM authorization).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignatureV4 } from '@smithy/signature-v4';
import { regionOf, Sha256, signedFetch } from '../../local/signed-fetch';

test('the node:crypto SHA-256 signs AWS’s own SigV4 test vector (get-vanilla) to the published signature', async () => {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
    region: 'us-east-1',
    service: 'service',
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method: 'GET', protocol: 'https:', hostname: 'example.amazonaws.com', path: '/', query: {}, headers: { host: 'example.amazonaws.com' } },
    { signingDate: new Date('2015-08-30T12:36:00Z') },
  );
  expect(signed.headers.authorization).toBe(
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  );
});

test('the region comes from the execute-api host', () => {
  expect(regionOf(new URL('https://abc123.execute-api.eu-west-1.amazonaws.com/'))).toBe('eu-west-1');
});

test('requests carry an execute-api SigV4 signature made with the caller’s credentials, and their body', async () => {
  const seen: Array<{ method?: string; url?: string; authorization?: string; body: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_REGION: 'us-west-2' });
  delete process.env.AWS_PROFILE;
  try {
    const send = signedFetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    const res = await send('/api/carrier/sync', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(seen).toEqual([{
      method: 'POST',
      url: '/api/carrier/sync',
      authorization: expect.stringMatching(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-west-2\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/),
      body: '{}',
    }]);
  } finally {
    process.env = saved;
    server.close();
  }
});
