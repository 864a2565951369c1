// SMS Lambda: POST /twilio/sms.
import { webhookDepsFromEnv } from '../webhooks/deps';
import { smsWebhook } from '../webhooks/sms';

export const handler = smsWebhook(webhookDepsFromEnv());
