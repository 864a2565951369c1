// Texts and voicemails that arrive while the number's flow cannot be read (DESIGN.md section 11): the
// guard's safe answer (`error`, `timeout`) and the fallback URL keep them for `unrouted` with the time
// they arrived (`routeAt`), and their write is the replay's own (spill/replay.ts): when the store takes
// it, the item is routed at once by the number's flow as it stood then; when it does not, it is spilled
// with `routeAt` and the drain routes it once the store answers again. Either way the same code decides.
// A recording's callbacks come after the call's safe answer: its URLs carry the arrival time (`ra`),
// covered by the signature like the rest of our state.
import { replay } from '../spill/replay';
import type { SpilledText, SpilledVoicemail } from '../spill/spill';
import { storeOrSpill, type Kept } from '../spill/store-or-spill';
import { BOOKKEEPING_MS } from '../runtime/deadline';
import type { IncomingText } from '../twilio/request';
import type { WebhookDeps } from './deps';

/** The safe answers given because the flow could not be read (or run): their items are routed later. */
const FLOW_UNREAD: ReadonlySet<string> = new Set(['error', 'timeout']);
export const routesLater = (reason: string): boolean => FLOW_UNREAD.has(reason);

/** The query parameter of a recording URL that carries its call's arrival time. */
export const ROUTE_AT_PARAM = 'ra';

/** `url` with the call's arrival time, for a recording whose flow could not be read. */
export function withRouteAt(url: string, at: Date): string {
  return `${url}${url.includes('?') ? '&' : '?'}${new URLSearchParams({ [ROUTE_AT_PARAM]: at.toISOString() })}`;
}

/** The arrival time a recording URL carries, when it is one. */
export function routeAtOf(value: string | undefined): string | undefined {
  return value && Number.isFinite(Date.parse(value)) ? new Date(value).toISOString() : undefined;
}

/** A text whose flow could not be read: routed now if the store answers, else spilled to be routed later. */
export function keepTextToRoute(deps: WebhookDeps, text: IncomingText, now: Date): Promise<Kept> {
  const item: SpilledText = {
    kind: 'text',
    messageSid: text.sid,
    mailbox: 'unrouted',
    from: text.from,
    to: text.to,
    body: text.body,
    ...(text.media.length && { media: text.media }),
    receivedAt: now.toISOString(),
    routeAt: now.toISOString(),
  };
  return storeOrSpill(deps.spill, item, () => replay(item, deps), BOOKKEEPING_MS);
}

/** A recording into `unrouted` with its call's arrival time: routed now if the store answers, else spilled. */
export async function keepVoicemailToRoute(deps: WebhookDeps, item: SpilledVoicemail): Promise<{ kept: Kept; stored: boolean }> {
  let stored = false;
  const kept = await storeOrSpill(deps.spill, item, async () => (stored = await replay(item, deps)), BOOKKEEPING_MS);
  return { kept, stored };
}
