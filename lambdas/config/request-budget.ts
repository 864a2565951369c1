// How long one AWS request may take, said once for every AWS SDK client the functions make (DynamoDB,
// SQS, Secrets Manager) and set the SDK's way: maxAttempts, and NodeHttpHandler's connection and request
// timeouts. The carrier and a developer both wait seconds, not minutes; the SDK's defaults wait for ever.

/** Attempts (the first included), and each attempt's time to connect and to answer. */
export interface RequestBudget {
  maxAttempts: number;
  /** Milliseconds to open a connection (NodeHttpHandler connectionTimeout). */
  connectionTimeout: number;
  /** Milliseconds a connected socket may wait for the answer before the attempt fails (NodeHttpHandler requestTimeout). */
  requestTimeout: number;
}

/**
 * An SDK client's settings for a budget; a part left out keeps the SDK's default. Without
 * throwOnRequestTimeout the SDK's handler only logs a warning when requestTimeout passes.
 */
export function sdkClientConfig({ maxAttempts, connectionTimeout, requestTimeout }: Partial<RequestBudget>) {
  return {
    ...(maxAttempts !== undefined && { maxAttempts }),
    requestHandler: { connectionTimeout, requestTimeout, throwOnRequestTimeout: requestTimeout !== undefined },
  };
}

/** The longest a request can take before it fails: every attempt timing out, plus the SDK's backoff between them (under 1 s for 3 attempts). */
export const worstCaseMs = (budget: RequestBudget) => budget.maxAttempts * (budget.connectionTimeout + budget.requestTimeout) + 1_000;
