// The state of a call between two webhook requests: which waiting applet is being resumed and where
// it stood. It travels in the query string of the action URLs (covered by the Twilio signature, so it
// cannot be forged), hence small, flat, short string values.
import { APPLET_ID } from './applets';

/** A menu waiting for a key: `attempt` is the ask being answered (1 is the first). */
export interface MenuState {
  step: 'menu';
  applet: string;
  attempt: number;
}

/**
 * A dial waiting for its result. `pos` is where the next round starts in the dial's ringing order
 * (members in group order, rotated by `rr`, with the `sticky` member moved first).
 * `rr` and `sticky` are fixed when the call first reaches the dial, so a later round neither advances
 * the round-robin counter again nor asks for the sticky member again.
 * `user` is the one user rung in this round, when there was exactly one (to remember a sticky answer).
 */
export interface DialState {
  step: 'dial';
  applet: string;
  pos: number;
  rr?: number;
  /** Longest-idle: the members' positions in the group in the order this call rings them (fixed at the first round). */
  idle?: number[];
  sticky?: string;
  user?: string;
}

/** A voicemail whose recording has finished. */
export interface VoicemailState {
  step: 'voicemail';
  applet: string;
}

/** A caller who has left a queue (the `<Enqueue>` action: bridged, left on timeout, hung up...). */
export interface QueueState {
  step: 'queue';
  applet: string;
}

export type CallState = MenuState | DialState | VoicemailState | QueueState;

/** The query keys this module owns; the webhook handler adds its own (flow, revision) beside them. */
export const CALL_STATE_KEYS = ['step', 'applet', 'attempt', 'pos', 'rr', 'idle', 'sticky', 'user'] as const;

export function encodeState(state: CallState): Record<string, string> {
  const query: Record<string, string> = { step: state.step, applet: state.applet };
  switch (state.step) {
    case 'menu':
      query.attempt = String(state.attempt);
      break;
    case 'dial':
      query.pos = String(state.pos);
      if (state.rr !== undefined) query.rr = String(state.rr);
      if (state.idle !== undefined) query.idle = state.idle.join('.');
      if (state.sticky !== undefined) query.sticky = state.sticky;
      if (state.user !== undefined) query.user = state.user;
      break;
    case 'voicemail':
    case 'queue':
      break;
  }
  return query;
}

type Query = Record<string, string | string[] | undefined>;

/** The state in a query string, or undefined when it is missing or malformed. Unknown keys are ignored. */
export function decodeState(query: Query): CallState | undefined {
  const step = single(query, 'step');
  const applet = single(query, 'applet');
  if (applet === undefined || !APPLET_ID.test(applet)) return undefined;
  switch (step) {
    case 'menu': {
      const attempt = count(query, 'attempt');
      // A menu asks at most 10 times (schema), so a larger attempt was not written by us.
      return attempt !== undefined && attempt >= 1 && attempt <= 10 ? { step, applet, attempt } : undefined;
    }
    case 'dial':
      return decodeDial(query, applet);
    case 'voicemail':
    case 'queue':
      return { step, applet };
    default:
      return undefined;
  }
}

function decodeDial(query: Query, applet: string): DialState | undefined {
  const pos = count(query, 'pos');
  const rr = count(query, 'rr');
  const sticky = single(query, 'sticky');
  const user = single(query, 'user');
  const idle = positions(single(query, 'idle'));
  // Optional keys, but present ones must be well formed.
  const malformed =
    pos === undefined ||
    (query.rr !== undefined && rr === undefined) ||
    (query.idle !== undefined && idle === undefined) ||
    (query.sticky !== undefined && (sticky === undefined || !isId(sticky))) ||
    (query.user !== undefined && (user === undefined || !isId(user)));
  if (malformed) return undefined;
  return {
    step: 'dial', applet, pos,
    ...(rr !== undefined && { rr }),
    ...(idle !== undefined && { idle }),
    ...(sticky !== undefined && { sticky }),
    ...(user !== undefined && { user }),
  };
}

/** A value given once; a repeated key is ambiguous and rejected. */
function single(query: Query, key: string): string | undefined {
  const value = query[key];
  return typeof value === 'string' ? value : undefined;
}

/** A small non-negative integer written as plain digits (positions, attempts, offsets). */
function count(query: Query, key: string): number | undefined {
  const value = single(query, key);
  return value !== undefined && /^\d{1,4}$/.test(value) ? Number(value) : undefined;
}

/** Distinct member positions ("2.0.1"): a group has at most 49 members (people.ts). */
function positions(value: string | undefined): number[] | undefined {
  if (value === undefined || !/^\d{1,2}(\.\d{1,2}){0,48}$/.test(value)) return undefined;
  const list = value.split('.').map(Number);
  return new Set(list).size === list.length ? list : undefined;
}

/** User ids are 1-64 characters (people.ts). */
const isId = (value: string) => value.length >= 1 && value.length <= 64;
