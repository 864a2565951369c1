import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { parseForm, publicRequestUrl } from '../../lambdas/twilio/request';
import { signTwilioRequest, verifyTwilioRequest } from '../../lambdas/twilio/signature';
import { AUTH_TOKEN_MAX_AGE_SECONDS, authTokenFromSecret, loadTwilioAuthToken, twilioAuthToken } from '../../lambdas/twilio/auth-token';
import { signedTwilioEvent, TEST_AUTH_TOKEN, TEST_DOMAIN } from '../support/twilio-events';

/** Twilio's algorithm, written out here so the tests do not only check the library against itself. */
function independentSignature(token: string, url: string, params: Record<string, string | string[]>): string {
  let data = url;
  for (const name of Object.keys(params).sort()) {
    const values = params[name];
    for (const value of Array.isArray(values) ? [...values].sort() : [values]) data += name + value;
  }
  return createHmac('sha1', token).update(Buffer.from(data, 'utf8')).digest('base64');
}

const callParams = {
  CallSid: 'CA0123456789abcdef0123456789abcdef',
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+15550109999',
  To: '+15550100001',
  CallStatus: 'ringing',
  Direction: 'inbound',
  ApiVersion: '2010-04-01',
};

const smsLike = {
  MessageSid: 'SM0123456789abcdef0123456789abcdef',
  AccountSid: 'AC0123456789abcdef0123456789abcdef',
  From: '+15550109999',
  To: '+15550100001',
  NumMedia: '1',
};

describe('signing', () => {
  test('matches the example in Twilio’s documentation', () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };
    expect(signTwilioRequest('https://mycompany.com/myapp.php?foo=1&bar=2', params, '12345')).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
  });

  test('matches an HMAC-SHA1 over the URL and the sorted names and values', () => {
    const url = 'https://calls.example.com/twilio/step?flow=f1&rev=3&applet=menu';
    expect(signTwilioRequest(url, callParams, 'tok')).toBe(independentSignature('tok', url, callParams));
  });
});

describe('verifyTwilioRequest', () => {
  const url = '/twilio/step?flow=f1&rev=3&applet=menu&attempt=1';

  test('accepts a request signed independently over every posted parameter and the query string', () => {
    const event = signedTwilioEvent({ url, params: { ...callParams, Digits: '1' } });
    event.headers['x-twilio-signature'] = independentSignature(TEST_AUTH_TOKEN, `https://${TEST_DOMAIN}${url}`, { ...callParams, Digits: '1' });

    const result = verifyTwilioRequest(event, TEST_AUTH_TOKEN);

    expect(result).toEqual({
      ok: true,
      params: { ...callParams, Digits: '1' },
      query: { flow: 'f1', rev: '3', applet: 'menu', attempt: '1' },
      url: `https://${TEST_DOMAIN}${url}`,
    });
  });

  test('checks the signature over the raw values, then hands out values cleaned of characters XML cannot carry', () => {
    const raw = { ...smsLike, Body: 'one\u000Btwo\u0001three\u0007', 'MediaUrl0': 'https://m.example/\u0000a.jpg' };
    const event = signedTwilioEvent({ url: '/twilio/sms', params: raw });
    event.headers['x-twilio-signature'] = independentSignature(TEST_AUTH_TOKEN, `https://${TEST_DOMAIN}/twilio/sms`, raw);

    const result = verifyTwilioRequest(event, TEST_AUTH_TOKEN);

    expect(result).toMatchObject({ ok: true, params: { ...smsLike, Body: 'one twothree', MediaUrl0: 'https://m.example/a.jpg' } });
  });

  test('a signature made over the cleaned values does not verify: Twilio signs what it sent', () => {
    const raw = { ...smsLike, Body: 'bell\u0007' };
    const event = signedTwilioEvent({ url: '/twilio/sms', params: raw });
    event.headers['x-twilio-signature'] = independentSignature(TEST_AUTH_TOKEN, `https://${TEST_DOMAIN}/twilio/sms`, { ...raw, Body: 'bell' });
    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('refuses a tampered posted parameter', () => {
    const event = signedTwilioEvent({ url, params: { ...callParams, Digits: '1' } });
    event.body = event.body!.replace('Digits=1', 'Digits=2');

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('refuses an added posted parameter', () => {
    const event = signedTwilioEvent({ url, params: callParams });
    event.body += '&Digits=9';

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('refuses a tampered query string (the step state lives there)', () => {
    const event = signedTwilioEvent({ url, params: callParams });
    event.rawQueryString = event.rawQueryString.replace('applet=menu', 'applet=vip');

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('refuses a request signed with another token', () => {
    const event = signedTwilioEvent({ url, params: callParams, authToken: 'someone-else' });

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('refuses a request without a signature header', () => {
    const event = signedTwilioEvent({ url, params: callParams });
    delete event.headers['x-twilio-signature'];

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'missing_signature' });
  });

  test('refuses a garbage signature', () => {
    const event = signedTwilioEvent({ url, params: callParams, headers: { 'x-twilio-signature': 'not base64 at all' } });

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('keeps every value of a repeated parameter and verifies them all', () => {
    const params = { ...callParams, MediaUrl: ['https://m.example.com/b.jpg', 'https://m.example.com/a.jpg'] };
    const event = signedTwilioEvent({ url: '/twilio/sms', params });
    event.headers['x-twilio-signature'] = independentSignature(TEST_AUTH_TOKEN, `https://${TEST_DOMAIN}/twilio/sms`, params);

    const result = verifyTwilioRequest(event, TEST_AUTH_TOKEN);

    expect(result.ok).toBe(true);
    expect(result.ok && result.params.MediaUrl).toEqual(['https://m.example.com/b.jpg', 'https://m.example.com/a.jpg']);
  });

  test('refuses a request where one value of a repeated parameter was dropped', () => {
    const event = signedTwilioEvent({ url: '/twilio/sms', params: { ...callParams, Tag: ['a', 'b'] } });
    event.body = event.body!.replace('&Tag=b', '');

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN)).toMatchObject({ ok: false, reason: 'bad_signature' });
  });

  test('decodes a base64 body', () => {
    const params = { ...callParams, Body: 'Héllo & “quotes” + plus' };
    const event = signedTwilioEvent({ url: '/twilio/sms', params, base64: true });

    const result = verifyTwilioRequest(event, TEST_AUTH_TOKEN);

    expect(event.isBase64Encoded).toBe(true);
    expect(result).toMatchObject({ ok: true, params });
  });

  test('verifies against PUBLIC_URL when Twilio called a custom domain', () => {
    const event = signedTwilioEvent({ url: 'https://calls.example.com/switchboard/twilio/voice', params: callParams });
    // Behind an API mapping the execute-api event carries neither the custom domain nor the mapping key.
    event.requestContext.domainName = TEST_DOMAIN;
    event.rawPath = '/twilio/voice';

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN).ok).toBe(false);
    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN, 'https://calls.example.com/switchboard').ok).toBe(true);
  });

  test('verifies plain http for the local server', () => {
    const event = signedTwilioEvent({ url: 'http://127.0.0.1:3000/twilio/voice?x=1', params: callParams });

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN, 'http://127.0.0.1:3000')).toMatchObject({ ok: true, url: 'http://127.0.0.1:3000/twilio/voice?x=1' });
  });

  test('accepts a signature made over the URL with an explicit :443', () => {
    const event = signedTwilioEvent({ url: 'https://calls.example.com:443/twilio/voice', params: callParams });

    expect(verifyTwilioRequest(event, TEST_AUTH_TOKEN, 'https://calls.example.com').ok).toBe(true);
  });
});

describe('publicRequestUrl', () => {
  const event = (rawPath: string, rawQueryString = '') => ({ rawPath, rawQueryString, requestContext: { domainName: TEST_DOMAIN } });

  test('uses the execute-api domain and rawPath, which already holds a named stage', () => {
    expect(publicRequestUrl(event('/dev/twilio/voice', 'a=1&b=2'))).toBe(`https://${TEST_DOMAIN}/dev/twilio/voice?a=1&b=2`);
  });

  test('adds no "?" without a query string', () => {
    expect(publicRequestUrl(event('/twilio/voice'))).toBe(`https://${TEST_DOMAIN}/twilio/voice`);
  });

  test('puts PUBLIC_URL, path prefix included, before rawPath', () => {
    expect(publicRequestUrl(event('/twilio/voice', 'x=1'), 'https://calls.example.com/switchboard/')).toBe('https://calls.example.com/switchboard/twilio/voice?x=1');
  });

  test('keeps the query string byte for byte', () => {
    expect(publicRequestUrl(event('/twilio/step', "name=O'Brien&to=%2B1555"), 'https://calls.example.com')).toBe("https://calls.example.com/twilio/step?name=O'Brien&to=%2B1555");
  });
});

describe('parseForm', () => {
  test('decodes + and percent escapes and collects repeated names', () => {
    expect(parseForm('Body=hi+there%21&To=%2B15550100001&K=1&K=2&K=3')).toEqual({ Body: 'hi there!', To: '+15550100001', K: ['1', '2', '3'] });
  });

  test('gives an empty object for an empty body', () => {
    expect(parseForm('')).toEqual({});
  });
});

describe('Twilio auth token', () => {
  const secretReader = (value?: string) => ({ get: jest.fn(async (_id: string, _options?: unknown) => value) });

  test('comes from TWILIO_AUTH_TOKEN in local mode, without Secrets Manager', async () => {
    const reader = secretReader('unused');
    await expect(loadTwilioAuthToken({ TWILIO_AUTH_TOKEN: 'local-tok', TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:x' }, reader)).resolves.toBe('local-tok');
    expect(reader.get).not.toHaveBeenCalled();
  });

  test('comes from the secret named by TWILIO_AUTH_TOKEN_SECRET_ARN, cached with a max age', async () => {
    const reader = secretReader('plain-token\n');
    await expect(loadTwilioAuthToken({ TWILIO_AUTH_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:1:secret:t' }, reader)).resolves.toBe('plain-token');
    expect(reader.get).toHaveBeenCalledWith('arn:aws:secretsmanager:us-east-1:1:secret:t', { maxAge: AUTH_TOKEN_MAX_AGE_SECONDS });
  });

  test('accepts a JSON secret with an authToken field', () => {
    expect(authTokenFromSecret('{ "authToken": "json-token" }')).toBe('json-token');
  });

  test('names the problem without the secret’s content', () => {
    expect(() => authTokenFromSecret('{ "token": "s3cr3t" }')).toThrow(/without a string "authToken"/);
    expect(() => authTokenFromSecret('{ "token": "s3cr3t" }')).not.toThrow(/s3cr3t/);
  });

  test('fails when neither variable is set', async () => {
    await expect(loadTwilioAuthToken({})).rejects.toThrow(/TWILIO_AUTH_TOKEN/);
  });

  test('is read from Secrets Manager once, then again after its max age: a rotated token is picked up', async () => {
    // A loopback Secrets Manager: it answers GetSecretValue over the JSON protocol with the current secret.
    let current = 'first-token';
    const asked: { target?: string; type?: string; auth?: string; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c));
      req.on('end', () => {
        asked.push({ target: req.headers['x-amz-target'] as string, type: req.headers['content-type'], auth: req.headers.authorization, body });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ Name: 'rotating', SecretString: current }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const saved = { ...process.env };
    delete process.env.TWILIO_AUTH_TOKEN;
    process.env.TWILIO_AUTH_TOKEN_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:1:secret:rotating';
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    // What Lambda gives a function; stated here, since unit tests run without the store's globalSetup.
    Object.assign(process.env, { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' });
    const clock = jest.spyOn(Date, 'now');
    const t0 = Date.now();
    try {
      clock.mockReturnValue(t0);
      await expect(twilioAuthToken()).resolves.toBe('first-token');
      expect(asked[0]).toMatchObject({ target: 'secretsmanager.GetSecretValue', type: 'application/x-amz-json-1.1', auth: expect.stringMatching(/\/secretsmanager\/aws4_request/) });
      expect(JSON.parse(asked[0].body)).toEqual({ SecretId: 'arn:aws:secretsmanager:us-east-1:1:secret:rotating' });
      current = 'rotated-token';
      clock.mockReturnValue(t0 + (AUTH_TOKEN_MAX_AGE_SECONDS - 1) * 1000);
      await expect(twilioAuthToken()).resolves.toBe('first-token');
      expect(asked).toHaveLength(1);
      clock.mockReturnValue(t0 + (AUTH_TOKEN_MAX_AGE_SECONDS + 1) * 1000);
      await expect(twilioAuthToken()).resolves.toBe('rotated-token');
      expect(asked).toHaveLength(2);
    } finally {
      clock.mockRestore();
      process.env = saved;
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
