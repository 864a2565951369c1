// The webhooks' dependencies from the Lambda environment, built once per cold start.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createStores } from '../store/stores';
import { tableNamesFromEnv } from '../store/tables';
import { twilioAuthToken } from '../twilio/auth-token';
import type { WebhookDeps } from './context';
import { carrierLinkFromEnv } from '../carrier/carrier-link';
import { CarrierTextSender } from '../carrier/text-sender';

/**
 * The carrier waits seconds, not minutes: a DynamoDB request that hangs is cut short (and retried once)
 * so the webhook can still give the safe answer in time. The SDK's defaults would wait indefinitely.
 */
export const webhookDynamoClientConfig = {
  maxAttempts: 2,
  // Without throwOnRequestTimeout the handler only logs a warning when requestTimeout passes.
  requestHandler: { connectionTimeout: 500, requestTimeout: 1_000, throwOnRequestTimeout: true },
};

export function webhookDepsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookDeps {
  const doc = DynamoDBDocumentClient.from(new DynamoDBClient(webhookDynamoClientConfig), { marshallOptions: { removeUndefinedValues: true } });
  const stores = createStores(doc, tableNamesFromEnv(env));
  return {
    ...stores,
    now: () => new Date(),
    authToken: twilioAuthToken,
    publicUrl: env.PUBLIC_URL || undefined,
    allowSimulatedTime: env.SWITCHBOARD_LOCAL === '1',
    texts: new CarrierTextSender(carrierLinkFromEnv(env).api),
  };
}
