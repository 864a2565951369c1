// `npm run carrier -- --api`: admin requests to a deployed stack signed with SigV4 (IAM authorization).
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signedFetch } from '../../local/signed-fetch';

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
  Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' });
  delete process.env.AWS_PROFILE;
  try {
    const send = signedFetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 'us-west-2');
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

test('without a region in the URL or the environment it says what to set', () => {
  const saved = { ...process.env };
  delete process.env.AWS_REGION;
  delete process.env.AWS_DEFAULT_REGION;
  try {
    expect(() => signedFetch('https://calls.example.com/')).toThrow(/AWS_REGION/);
  } finally {
    process.env = saved;
  }
});
