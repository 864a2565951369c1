// The simulator's time in the flow's own time zone (issue 20 item 5): an hours applet decides in its zone,
// so "Monday 10:00" means 10:00 there, whatever zone the browser is in. Wall-clock times and instants are
// converted with Intl (the browser's tz database), daylight saving included.

/** The zone the flow's hours decide in: its first hours applet's (call part first); undefined without one. */
export function flowZone(doc: { call?: { applets: Record<string, { type: string; timezone?: unknown }> }; sms?: { applets: Record<string, { type: string; timezone?: unknown }> } }): string | undefined {
  for (const part of [doc.call, doc.sms]) {
    for (const a of Object.values(part?.applets ?? {})) if (a.type === 'hours' && typeof a.timezone === 'string' && isZone(a.timezone)) return a.timezone;
  }
  return undefined;
}

export function isZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `zone` at an instant: "2026-12-07T10:00". */
export function wallClock(at: Date, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/**
 * The instant a wall-clock time in `zone` names. A time that happens twice (the hour clocks go back) is
 * the first; one that never happens (the hour they go forward) moves on by the gap, as clocks do.
 */
export function instantOf(local: string, zone: string): Date {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)/.exec(local);
  if (!m) return new Date(NaN);
  const asUtc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const offsetAt = (t: number) => Date.parse(`${wallClock(new Date(t), zone)}:00Z`) - t;
  // The zone's offsets a day either side: at most one change lies between (none, in most zones, most days).
  const DAY = 86_400_000;
  const before = asUtc - offsetAt(asUtc - DAY);
  const after = asUtc - offsetAt(asUtc + DAY);
  const real = [before, after].filter((t) => wallClock(new Date(t), zone) === local.slice(0, 16));
  // In the gap no candidate shows the time typed: the offset before the change moves it on by the gap.
  return new Date(real.length ? Math.min(...real) : before);
}
