// The shapes of a webhook's HTTP answer: TwiML (always 200) or, only for an oversized request (413), a bad
// signature (403) or a malformed request (400), a short plain-text refusal (DESIGN.md section 5).
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type Response = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export const twiml = (xml: string): Response => ({ statusCode: 200, headers: { 'content-type': 'text/xml' }, body: xml });
export const plain = (statusCode: number, message: string): Response => ({ statusCode, headers: { 'content-type': 'text/plain' }, body: message });

/** Nothing to do: a callback acknowledged, a text that sends nothing back. */
export const EMPTY_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response/>';
/** The end of a call whose caller may still be on the line (after a recording, say). */
export const HANGUP_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>';
