// What a webhook left out of what the carrier posted, said once per request (issue 18): a text body cut
// to 1,600 characters, media and recording URLs dropped (past the 10th, too long, not Twilio's https
// URLs). Logged and counted before any write; the URLs themselves are not logged, only why they went.
import { logger } from '../observability/logger';
import { count, countBy, METRIC } from '../observability/metrics';
import { checkMediaUrl } from '../twilio/carrier-limits';
import type { IncomingText } from '../twilio/request';

export function logTextCuts(text: IncomingText): void {
  if (!text.cut) return;
  const { bodyChars, droppedMedia } = text.cut;
  logger.warn('text cut to the carrier limits before it is kept', { sid: text.sid, ...(bodyChars !== undefined && { bodyChars }), droppedMedia });
  if (bodyChars !== undefined) count(METRIC.bodiesTruncated);
  for (const { reason } of droppedMedia) countBy(METRIC.mediaDropped, 'reason', reason);
}

/** The recording URL to keep: Twilio's own, else none (logged and counted). */
export function keptRecordingUrl(url: string | undefined, sid: string): string | undefined {
  if (url === undefined || url === '') return undefined;
  const check = checkMediaUrl(url);
  if (check === 'ok') return url;
  logger.warn('recording URL dropped: not a Twilio https URL', { recordingSid: sid, reason: check, length: url.length });
  countBy(METRIC.mediaDropped, 'reason', check);
  return undefined;
}
