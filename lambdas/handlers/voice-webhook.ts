// Voice Lambda: POST /twilio/voice, /twilio/fallback and /twilio/voice/* (steps, screening, recordings).
import { webhookDepsFromEnv } from '../webhooks/deps';
import { voiceWebhook } from '../webhooks/voice';

export const handler = voiceWebhook(webhookDepsFromEnv());
