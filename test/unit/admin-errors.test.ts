// The admin API's one map from errors to statuses (adminErrors, lambdas/admin/middleware.ts): the carrier's
// failures are named errors like any other, so no route answers an error status of its own.
import { errorResponse } from '../../lambdas/admin/middleware';
import { CarrierNotConfiguredError, MethodNotAllowedError } from '../../lambdas/errors';
import { TwilioApiError } from '../../lambdas/carrier/twilio-client';

const answer = (err: unknown) => {
  const res = errorResponse(err)!;
  return { status: res.statusCode, body: JSON.parse(res.body as string) as unknown, retryAfter: res.headers['retry-after'] };
};

test('Twilio refusing a request is 502 carrier_error, with its status, error number and link in the details', () => {
  const err = new TwilioApiError('Twilio 401 (error 20003): Authenticate', 401, 20003, 'https://www.twilio.com/docs/errors/20003');
  expect(answer(err)).toEqual({
    status: 502,
    body: {
      error: {
        code: 'carrier_error',
        message: 'Twilio 401 (error 20003): Authenticate',
        details: [{ status: 401, code: 20003, moreInfo: 'https://www.twilio.com/docs/errors/20003' }],
      },
    },
    retryAfter: undefined,
  });
});

test('a carrier that cannot be reached is the carrier’s 502, not the data store’s 503, though its message names a connection error', () => {
  const err = new TwilioApiError('cannot reach the Twilio API: ECONNREFUSED', 0);
  expect(answer(err)).toMatchObject({ status: 502, body: { error: { code: 'carrier_error', details: [{ status: 0 }] } } });
});

test('a carrier link without credentials is 503 carrier_not_configured, saying what to set', () => {
  const err = new CarrierNotConfiguredError('set TWILIO_AUTH_TOKEN (local mode) or TWILIO_AUTH_TOKEN_SECRET_ARN');
  expect(answer(err)).toEqual({
    status: 503,
    body: {
      error: {
        code: 'carrier_not_configured',
        message: 'the carrier link is not configured: set TWILIO_AUTH_TOKEN (local mode) or TWILIO_AUTH_TOKEN_SECRET_ARN',
      },
    },
    retryAfter: undefined,
  });
});

test('a known path asked with another method is 405 method_not_allowed', () => {
  expect(answer(new MethodNotAllowedError('PATCH', '/api/flows'))).toEqual({
    status: 405,
    body: { error: { code: 'method_not_allowed', message: 'PATCH is not allowed on /api/flows' } },
    retryAfter: undefined,
  });
});
