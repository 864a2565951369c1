// The unassigned-number report of DESIGN.md section 7: every number whose status is not ok, since when,
// what it lost since the last published report and the API call that fixes it. Reads grow with the
// unassigned numbers and the flows (sparse noFlow index, flow heads, byFlow for flows missing a part),
// never with all numbers.
import { createHash } from 'node:crypto';
import type { ReportEntry, ReportStatus, UnassignedReport } from '../api-types';
import { numberStatus } from '../flows/number-status';
import type { FlowHead, FlowStore } from '../store/flow-store';
import type { NumberRecord, NumberStore } from '../store/number-store';
import type { StateStore } from '../store/state-store';
import type { CarrierCheck } from './carrier-check';

// The report's shape is an admin API answer (GET /api/report/unassigned): it lives with the others.
export type { ReportEntry, ReportStatus, UnassignedReport };

export interface ReportMark {
  publishedAt: string;
  fingerprint: string;
}

export const REPORT_MARK_KEY = 'report#last';

export interface ReportDeps {
  numbers: Pick<NumberStore, 'listWithoutFlow' | 'listByFlow'>;
  flows: Pick<FlowStore, 'listHeads'>;
  state: Pick<StateStore, 'unroutedSince' | 'getValue'>;
  /** The carrier's side: numbers whose URLs point elsewhere. Without it the report covers flows only. */
  carrierCheck?: CarrierCheck;
}

export function fixFor(entry: Pick<ReportEntry, 'number' | 'status' | 'flowId'>): string {
  const number = encodeURIComponent(entry.number);
  switch (entry.status) {
    case 'no_flow':
      return `PUT /api/numbers/${number}/flow {"flowId":"<flow id>"}`;
    case 'no_call_flow':
      return `PUT /api/flows/${entry.flowId} with a "call" part (or PUT /api/numbers/${number}/flow {"flowId":"<flow with a call part>"})`;
    case 'no_sms_flow':
      return `PUT /api/flows/${entry.flowId} with an "sms" part (or PUT /api/numbers/${number}/flow {"flowId":"<flow with an sms part>"})`;
    case 'not_connected':
      // The carrier check words the fix by what takes the number's calls or texts (carrier/numbers.ts fixOf).
      return 'POST /api/carrier/sync (npm run carrier -- sync)';
  }
}

const later = (a: string, b: string | undefined) => (b && b > a ? b : a);

export async function buildUnassignedReport(deps: ReportDeps, now: Date): Promise<UnassignedReport> {
  const [mark, withoutFlow, heads, carrier] = await Promise.all([
    deps.state.getValue<ReportMark>(REPORT_MARK_KEY),
    deps.numbers.listWithoutFlow(),
    deps.flows.listHeads(),
    deps.carrierCheck ? deps.carrierCheck.notConnected() : Promise.resolve({ checked: false as const, reason: 'no carrier link' }),
  ]);
  const incomplete = heads.filter((h) => numberStatus(h) !== 'ok');
  const served = await Promise.all(incomplete.map(async (h) => ({ head: h, numbers: await deps.numbers.listByFlow(h.id) })));
  const pending: Array<{ record: NumberRecord; head?: FlowHead }> = [
    ...withoutFlow.map((record) => ({ record })),
    ...served.flatMap(({ head, numbers }) => numbers.map((record) => ({ record, head }))),
  ];
  const since = mark?.publishedAt;
  const numbers = await Promise.all(
    pending.map(async ({ record, head }): Promise<ReportEntry> => {
      const status = numberStatus(head) as ReportEntry['status'];
      const lost = await deps.state.unroutedSince(record.number, since);
      // A number lacking a part since before it was assigned there: the later of the two moments.
      const partSince = status === 'no_call_flow' ? head?.noCallSince : status === 'no_sms_flow' ? head?.noSmsSince : undefined;
      const entry = {
        number: record.number,
        name: record.name,
        status,
        flowId: record.flowId ?? null,
        since: later(record.since, partSince),
        lostCalls: lost.filter((e) => e.channel === 'call').length,
        lostTexts: lost.filter((e) => e.channel === 'sms').length,
      };
      return { ...entry, fix: fixFor(entry) };
    }),
  );
  // A number can lack a flow and point elsewhere at once: one entry for each, since each has its own fix.
  if (carrier.checked) {
    for (const n of carrier.numbers) {
      numbers.push({ number: n.number, name: n.name, status: 'not_connected', reason: n.reason, flowId: n.flowId, since: n.since, lostCalls: 0, lostTexts: 0, fix: n.fix });
    }
  }
  numbers.sort((a, b) => a.number.localeCompare(b.number) || a.status.localeCompare(b.status));
  const totals = {
    withoutFlow: numbers.filter((n) => n.status === 'no_flow').length,
    withoutCallFlow: numbers.filter((n) => n.status === 'no_call_flow').length,
    withoutSmsFlow: numbers.filter((n) => n.status === 'no_sms_flow').length,
    notConnected: numbers.filter((n) => n.status === 'not_connected').length,
    lostCalls: numbers.reduce((s, n) => s + n.lostCalls, 0),
    lostTexts: numbers.reduce((s, n) => s + n.lostTexts, 0),
  };
  const carrierState = carrier.checked ? { checked: true as const } : { checked: false as const, reason: carrier.reason };
  return { generatedAt: now.toISOString(), lastReportAt: since ?? null, subject: subjectOf(totals), numbers, totals, carrier: carrierState };
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** One line, e.g. "3 numbers have no call flow (12 calls lost since the last report)". */
export function subjectOf(t: Omit<UnassignedReport['totals'], 'notConnected'> & { notConnected?: number }): string {
  const kinds = [
    { n: t.withoutFlow, what: 'no flow' },
    { n: t.withoutCallFlow, what: 'no call flow' },
    { n: t.withoutSmsFlow, what: 'no sms flow' },
  ].filter((k) => k.n > 0);
  const notConnected = t.notConnected ?? 0;
  if (notConnected > 0) {
    const head = `${plural(notConnected, 'number', 'numbers')} ${notConnected === 1 ? 'is' : 'are'} not connected to Switchboard (Twilio sends ${notConnected === 1 ? 'its' : 'their'} calls or texts elsewhere)`;
    return kinds.length ? `${head}; ${subjectOf({ ...t, notConnected: 0 })}` : head;
  }
  const count = kinds.reduce((s, k) => s + k.n, 0);
  if (count === 0) return 'Every number has a flow';
  const lostParts = [t.lostCalls ? plural(t.lostCalls, 'call', 'calls') : '', t.lostTexts ? plural(t.lostTexts, 'text', 'texts') : ''].filter(Boolean);
  const lost = lostParts.length ? `${lostParts.join(' and ')} lost` : 'nothing lost';
  const window = 'since the last report';
  const head =
    kinds.length === 1
      ? `${plural(count, 'number', 'numbers')} ${count === 1 ? 'has' : 'have'} ${kinds[0].what}`
      : `${plural(count, 'number', 'numbers')} lack a flow or part of one`;
  return `${head} (${lost} ${window})`;
}

/**
 * Which numbers need attention, and why. Two reports with the same fingerprint and no traffic lost
 * since the last one say nothing new (lost counts restart at every publication, so they are not part of it).
 */
export function fingerprintOf(report: UnassignedReport): string {
  const basis = report.numbers.map((n) => `${n.number}:${n.status}${n.reason ? `:${n.reason}` : ''}`).join('|');
  return createHash('sha256').update(basis).digest('hex').slice(0, 16);
}
