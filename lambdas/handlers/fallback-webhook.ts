// Fallback Lambda: POST /twilio/fallback (Twilio's Voice and Messaging fallback URL). No DynamoDB at all:
// it answers safely and spills, so a failing or throttled voice function still ends in a kept message.
import { ENV } from '../config/env';
import { fallbackWebhook } from '../fallback/fallback-webhook';
import { spillFromEnv } from '../spill/spill-from-env';
import { twilioAuthToken } from '../twilio/auth-token';

export const handler = fallbackWebhook({ spill: spillFromEnv(), authToken: twilioAuthToken, now: () => new Date(), publicUrl: process.env[ENV.publicUrl] || undefined });
