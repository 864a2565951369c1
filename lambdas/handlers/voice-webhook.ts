// Voice Lambda: POST /twilio/voice and /twilio/voice/* (steps, screening, recordings). /twilio/fallback has its own.
import { webhookDepsFromEnv } from '../webhooks/deps';
import { voiceWebhook } from '../webhooks/voice';

export const handler = voiceWebhook(webhookDepsFromEnv());
