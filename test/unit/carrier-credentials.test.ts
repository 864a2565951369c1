// The carrier link's credentials: the account SID beside the token, from the environment or from the
// one Twilio secret (JSON), with errors that say what to set and never quote the secret.
import { PLACEHOLDER_ACCOUNT_SID } from '../../lambdas/config/twilio-secret';
import { credentialsFromSecret, loadTwilioAuthToken, loadTwilioCredentials } from '../../lambdas/twilio/auth-token';

const SID = `AC${'a1'.repeat(16)}`;
const ARN = 'arn:aws:secretsmanager:us-east-1:1:secret:twilio';
const reader = (value: unknown) => ({ get: jest.fn(async () => value) });

test('locally, TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN, without Secrets Manager', async () => {
  const secrets = reader('unused');
  await expect(loadTwilioCredentials({ TWILIO_ACCOUNT_SID: SID, TWILIO_AUTH_TOKEN: 'tok', TWILIO_AUTH_TOKEN_SECRET_ARN: ARN }, secrets)).resolves.toEqual({ accountSid: SID, authToken: 'tok' });
  expect(secrets.get).not.toHaveBeenCalled();
});

test('a token without its account SID names the variable to set', async () => {
  await expect(loadTwilioCredentials({ TWILIO_AUTH_TOKEN: 'tok' })).rejects.toThrow(/TWILIO_ACCOUNT_SID/);
});

test('in AWS, both from the one secret; the webhooks read the token from the same JSON', async () => {
  const secrets = reader(JSON.stringify({ accountSid: SID, authToken: 's3cr3t' }));
  await expect(loadTwilioCredentials({ TWILIO_AUTH_TOKEN_SECRET_ARN: ARN }, secrets)).resolves.toEqual({ accountSid: SID, authToken: 's3cr3t' });
  await expect(loadTwilioAuthToken({ TWILIO_AUTH_TOKEN_SECRET_ARN: ARN }, secrets)).resolves.toBe('s3cr3t');
  expect(secrets.get).toHaveBeenCalledWith(ARN, expect.objectContaining({ maxAge: expect.any(Number) }));
});

test('the placeholder the stack writes, a plain token or a bad SID: what the secret must hold, without its content', () => {
  expect(() => credentialsFromSecret(JSON.stringify({ accountSid: PLACEHOLDER_ACCOUNT_SID, authToken: 's3cr3t' }))).toThrow(/placeholder account SID/);
  expect(() => credentialsFromSecret('s3cr3t')).toThrow(/\{"accountSid":"AC\.\.\.","authToken":"\.\.\."\}/);
  expect(() => credentialsFromSecret(JSON.stringify({ accountSid: 'SK123', authToken: 's3cr3t' }))).toThrow(/no "accountSid"/);
  expect(() => credentialsFromSecret('s3cr3t')).not.toThrow(/s3cr3t/);
});
