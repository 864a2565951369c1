// Voice Lambda: POST /twilio/voice, /twilio/fallback and /twilio/voice/* (steps, screening, recordings).
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { VoiceWebhook } from '../webhooks/voice';
import { webhookDepsFromEnv } from '../webhooks/deps';

const webhook = new VoiceWebhook(webhookDepsFromEnv());

export const handler = (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => webhook.handle(event);
