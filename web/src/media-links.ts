// What Mailboxes may render as a link, an <img>, an <audio> or a <video> (issue 18): only Twilio's https
// media and recording URLs, checked by the webhooks' own rule (lambdas/twilio/carrier-limits.ts). The
// webhooks store nothing else since issue 18, but items stored before may hold any URL: the page checks
// again and shows such an attachment as text, never as something to click, load or play.
import type { MessageMedia } from '../../lambdas/api-types';
import { isCarrierMediaUrl } from '../../lambdas/twilio/carrier-limits';

/** The URL when the page may load or link it, else undefined. */
export const safeMediaUrl = (url: unknown): string | undefined => (isCarrierMediaUrl(url) ? url : undefined);

export type MediaView =
  | { kind: 'image' | 'audio' | 'video' | 'file'; url: string; contentType: string }
  | { kind: 'blocked'; contentType: string };

const isImage = (url: string) => /\.(png|jpe?g|gif|webp)(\?|$)/i.test(url);

/** How one stored attachment is shown: by its content type, or `blocked` when its URL is not Twilio's. */
export function mediaView(item: MessageMedia): MediaView {
  const { url, contentType = '' } = typeof item === 'string' ? { url: item } : item;
  const safe = safeMediaUrl(url);
  if (!safe) return { kind: 'blocked', contentType };
  const kind = contentType.startsWith('image/') || (!contentType && isImage(safe)) ? 'image' : contentType.startsWith('audio/') ? 'audio' : contentType.startsWith('video/') ? 'video' : 'file';
  return { kind, url: safe, contentType };
}
