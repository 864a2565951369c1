// A time zone's UTC offsets over a span of time, worked out once where Intl is cheap (publishing a flow,
// in the admin function) and stored with the flow, so the webhooks can tell local time with arithmetic.
// The first Intl.DateTimeFormat of a process costs 15-20 ms of ICU initialisation, the largest piece of
// a fresh voice function's first answer that is ours (docs/performance.md); with a table that covers
// `now` the webhook never touches Intl. Outside its span (a flow published years ago) or for a zone
// never learned, hours.ts asks Intl as before: the table only ever makes the same answer faster.

/** `[from, offset]`: from this instant (epoch ms) on, local time is UTC + offset minutes. */
export type OffsetChange = readonly [from: number, offsetMinutes: number];

export interface ZoneOffsets {
  zone: string;
  /** Ascending; the first starts the span. */
  changes: readonly OffsetChange[];
  /** The end of the span (epoch ms, exclusive). */
  until: number;
}

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** How far ahead a table reaches from the moment it is made: longer than most flows stay unchanged. */
export const ZONE_TABLE_AHEAD_MS = 3 * 366 * DAY;
/** And how far back: a call replayed from the spill, or simulated at a past time (`x-switchboard-at` locally). */
export const ZONE_TABLE_BEHIND_MS = 366 * DAY;

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset at `t` (minutes east of UTC), from Intl; undefined for a zone Intl does not know. */
function intlOffset(zone: string, t: number): number | undefined {
  let format = offsetFormats.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23',
      });
    } catch {
      return undefined; // RangeError: unknown time zone
    }
    offsetFormats.set(zone, format);
  }
  const at = Math.floor(t / MINUTE) * MINUTE;
  const p: Record<string, number> = {};
  for (const { type, value } of format.formatToParts(at)) p[type] = Number(value);
  const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour % 24, p.minute);
  return Math.round((wall - at) / MINUTE);
}

/** The table a flow published at `now` carries: a year back, three ahead. */
export function zoneOffsetsAround(zone: string, now: Date): ZoneOffsets | undefined {
  return zoneOffsets(zone, new Date(now.getTime() - ZONE_TABLE_BEHIND_MS), ZONE_TABLE_BEHIND_MS + ZONE_TABLE_AHEAD_MS);
}

/**
 * The zone's offsets from `from` for `span` ms, found by stepping a day at a time and narrowing each
 * change to its minute (zones change offset at most a few times a year, never twice in one day).
 * Undefined for a zone Intl does not know.
 */
export function zoneOffsets(zone: string, from: Date, span = ZONE_TABLE_AHEAD_MS): ZoneOffsets | undefined {
  const start = Math.floor(from.getTime() / MINUTE) * MINUTE;
  const until = start + span;
  let offset = intlOffset(zone, start);
  if (offset === undefined) return undefined;
  const changes: OffsetChange[] = [[start, offset]];
  for (let t = start; t < until; t += DAY) {
    const next = Math.min(t + DAY, until);
    const later = intlOffset(zone, next)!;
    if (later === offset) continue;
    // The change is in (t, next]: narrow it to the first minute with the new offset.
    let lo = t;
    let hi = next;
    while (hi - lo > MINUTE) {
      const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
      if (intlOffset(zone, mid) === offset) lo = mid;
      else hi = mid;
    }
    changes.push([hi, later]);
    offset = later;
  }
  return { zone, changes, until };
}

/** The offset (minutes) the table gives at `t`, or undefined when `t` is outside its span. */
export function offsetAt(table: ZoneOffsets, t: number): number | undefined {
  const { changes } = table;
  if (t < changes[0][0] || t >= table.until) return undefined;
  let lo = 0;
  let hi = changes.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (changes[mid][0] <= t) lo = mid;
    else hi = mid - 1;
  }
  return changes[lo][1];
}

// What this process has learned: tables are facts about time zones, not about a flow, so one per zone
// (the one reaching furthest) serves every flow in that zone.
const learned = new Map<string, ZoneOffsets>();

/** Remembers `table` for this process (the webhooks learn them from the flows they read). */
export function learnZoneOffsets(table: ZoneOffsets): void {
  const known = learned.get(table.zone);
  if (!known || table.until > known.until) learned.set(table.zone, table);
}

/** The learned offset of `zone` at `t`, or undefined when no learned table covers it. */
export function learnedOffset(zone: string, t: number): number | undefined {
  const table = learned.get(zone);
  return table && offsetAt(table, t);
}

/** Forgets every learned table (tests). */
export function forgetZoneOffsets(): void {
  learned.clear();
}

/** The time zones a flow's hours applets use, each once. */
export function timeZonesOf(doc: { call?: { applets: Record<string, unknown> }; sms?: { applets: Record<string, unknown> } }): string[] {
  const zones = new Set<string>();
  for (const part of [doc.call, doc.sms]) {
    for (const applet of Object.values(part?.applets ?? {})) {
      const { type, timezone } = applet as { type?: unknown; timezone?: unknown };
      if (type === 'hours' && typeof timezone === 'string') zones.add(timezone);
    }
  }
  return [...zones];
}
