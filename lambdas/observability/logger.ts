// The one Powertools logger every handler shares: JSON lines with level, message and service name,
// the CallSid/MessageSid as correlation id, and a replacer that is the last line of defence for what
// must never reach the logs (DESIGN.md sections 10 and 14): full phone numbers at any level, message
// bodies and transcripts, secrets.
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from './names';

export { SERVICE_NAME };

/** E.164 numbers, also URL-encoded (`%2B1555...` in paths): everything but the last four digits masked. */
const PHONE = /(\+|%2B)(\d{4,11})(\d{4})(?!\d)/gi;

export const maskPhoneNumbers = (text: string): string => text.replace(PHONE, (_m, plus: string, head: string, tail: string) => `${plus}${'*'.repeat(head.length)}${tail}`);

/** Keys whose values are never logged, whoever passes them: what callers wrote or said, and credentials. */
const REDACTED_KEYS = new Set(['body', 'transcriptiontext', 'transcript', 'authtoken', 'token', 'x-twilio-signature', 'signature', 'authorization', 'password', 'secret']);

export function logReplacer(key: string, value: unknown): unknown {
  if (key && REDACTED_KEYS.has(key.toLowerCase()) && value !== undefined && value !== '') return '[redacted]';
  if (typeof value === 'string') return maskPhoneNumbers(value);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function createLogger(options: { serviceName?: string; logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' } = {}): Logger {
  return new Logger({
    serviceName: options.serviceName ?? process.env.POWERTOOLS_SERVICE_NAME ?? SERVICE_NAME,
    ...(options.logLevel && { logLevel: options.logLevel }),
    jsonReplacerFn: logReplacer,
  });
}

/** Module singleton, as Powertools recommends: one per process, attached to each handler through middy. */
export const logger = createLogger();

/** An error for the log: its message and stack, never its enumerable fields (SDK errors carry request data). */
export const errorField = (err: unknown) => (err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : { message: String(err) });
