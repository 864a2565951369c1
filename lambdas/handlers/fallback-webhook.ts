// Fallback Lambda: POST /twilio/fallback (Twilio's Voice and Messaging fallback URL). No DynamoDB at all:
// it answers safely and spills, so a failing or throttled voice function still ends in a kept message.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleFallbackWebhook } from '../fallback/fallback-webhook';
import { spillFromEnv } from '../spill/spill-from-env';
import { twilioAuthToken } from '../twilio/auth-token';

const deps = { spill: spillFromEnv(), authToken: twilioAuthToken, now: () => new Date(), publicUrl: process.env.PUBLIC_URL || undefined };

export const handler = (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => handleFallbackWebhook(deps, event);
