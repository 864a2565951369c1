// Whether an error means "DynamoDB is not answering" (the webhooks' safe answer and spill, the admin API's
// 503), as opposed to "this request is wrong".

/** Node's codes for a connection that could not be made or was lost. */
const CONNECTION_ERROR_CODES = ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOTFOUND'];

/** Service failures that mean "DynamoDB is not answering", not "this request is wrong". */
const UNAVAILABLE = new Set([
  'TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ProvisionedThroughputExceededException', 'ThrottlingException',
  'RequestLimitExceeded', 'InternalServerError', 'ServiceUnavailable', ...CONNECTION_ERROR_CODES,
]);
/** A wrapped network error (the SDK's retry layer says "AWS SDK error wrapper for Error: connect ECONNREFUSED ..."). */
const WRAPPED_CONNECTION_ERROR = new RegExp(`\\b(${CONNECTION_ERROR_CODES.join('|')})\\b|socket hang up`);

export function isStoreUnavailable(err: unknown): boolean {
  const e = err as { name?: string; code?: string; $metadata?: { httpStatusCode?: number }; cause?: unknown } | undefined;
  if (!e || typeof e !== 'object') return false;
  if (UNAVAILABLE.has(e.name ?? '') || UNAVAILABLE.has(e.code ?? '')) return true;
  if ((e.$metadata?.httpStatusCode ?? 0) >= 500) return true;
  if (WRAPPED_CONNECTION_ERROR.test((err as Error).message ?? '')) return true;
  return e.cause !== undefined && e.cause !== err && isStoreUnavailable(e.cause);
}

/**
 * DynamoDB's "never, for this item": the item is invalid or too large (over 400 KB: ValidationException,
 * which the SDK models as a plain DynamoDBServiceException with that name) or its item collection is full.
 * Trying again cannot help; a spill drain sets such an item aside instead of retrying it forever.
 */
const PERMANENT = new Set(['ValidationException', 'ItemCollectionSizeLimitExceededException']);

export function isPermanentRefusal(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!e || typeof e !== 'object' || isStoreUnavailable(err)) return false;
  return PERMANENT.has(e.name ?? '');
}
