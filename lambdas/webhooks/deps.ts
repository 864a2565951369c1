// The webhooks' dependencies from the Lambda environment, built once per cold start.
import { documentClient } from '../store/dynamo';
import { createStores } from '../store/stores';
import { tableNamesFromEnv } from '../store/tables';
import { twilioAuthToken } from '../twilio/auth-token';
import type { WebhookDeps } from './context';

export function webhookDepsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookDeps {
  const stores = createStores(documentClient(), tableNamesFromEnv(env));
  return {
    ...stores,
    now: () => new Date(),
    authToken: twilioAuthToken,
    publicUrl: env.PUBLIC_URL || undefined,
    allowSimulatedTime: env.SWITCHBOARD_LOCAL === '1',
  };
}
