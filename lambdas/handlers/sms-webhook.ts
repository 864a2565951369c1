// SMS Lambda: POST /twilio/sms.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleSmsWebhook } from '../webhooks/sms';
import { webhookDepsFromEnv } from '../webhooks/deps';

const deps = webhookDepsFromEnv();

export const handler = (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => handleSmsWebhook(deps, event);
