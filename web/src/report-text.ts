// What the report banner and the Numbers table say about a number the report lists (DESIGN.md sections 7
// and 13), and about a carrier sync in progress.
import type { CarrierSyncJob, FlowList, NotConnectedReason, ReportEntry, ReportStatus, UnassignedReport } from '../../lambdas/api-types';

const WHY: Record<ReportStatus, string> = {
  no_flow: 'no flow',
  no_call_flow: 'no call flow',
  no_sms_flow: 'no SMS flow',
  not_connected: 'not connected: its Twilio URLs point elsewhere (npm run carrier -- sync)',
};

/** What takes a number's calls or texts instead of Switchboard, in words. */
const NOT_CONNECTED: Record<NotConnectedReason, string> = {
  urls: 'not connected: its Twilio URLs point elsewhere',
  twiml_app: 'not connected: a TwiML app takes its calls or texts',
  sip_trunk: 'not connected: a SIP trunk takes its calls',
  messaging_service: 'not connected: its Messaging Service takes its texts',
};

/** The short badge text of each reason. */
export const NOT_CONNECTED_BADGE: Record<NotConnectedReason, string> = {
  urls: 'Not connected',
  twiml_app: 'Not connected: TwiML app',
  sip_trunk: 'Not connected: SIP trunk',
  messaging_service: 'Not connected: Messaging Service',
};

export const reportReason = (status: ReportStatus, reason?: NotConnectedReason): string => (status === 'not_connected' && reason ? NOT_CONNECTED[reason] : (WHY[status] ?? status));

/** One banner line: the number's problem. */
export const reportLine = (entry: Pick<ReportEntry, 'status' | 'reason'>): string => reportReason(entry.status, entry.reason);

/** The numbers the carrier check found not connected (a number can also be listed for its flow), with their entry. */
export const notConnectedNumbers = (entries: readonly ReportEntry[] | undefined): Map<string, ReportEntry> =>
  new Map((entries ?? []).filter((e) => e.status === 'not_connected').map((e) => [e.number, e]));

const thousands = (n: number) => n.toLocaleString('en-US');

/** A sync's progress in one line. */
export function syncProgress(job: CarrierSyncJob): string {
  const failed = job.failed ? ` (${thousands(job.failed)} failed)` : '';
  if (job.status === 'done') {
    const still = Object.values(job.notConnected).reduce((s, n) => s + (n ?? 0), 0);
    return `Connected to Twilio: ${thousands(job.imported)} imported, ${thousands(job.connected)} connected, ${thousands(job.unchanged)} already fine${failed}${still ? `; ${thousands(still)} still not connected (see below)` : ''}.`;
  }
  if (job.status === 'failed') return `The sync stopped at ${thousands(job.done)} of ${thousands(job.total ?? 0)} numbers: ${job.error}. Start it again to resume there.`;
  if (job.phase === 'count') return 'Connecting to Twilio: reading the account’s numbers…';
  if (job.phase === 'services') return 'Connecting to Twilio: changing Messaging Services…';
  return `Connecting to Twilio: ${thousands(job.done)} of ${thousands(job.total ?? 0)} numbers${failed}${job.error ? `, trying again (${job.error})` : ''}…`;
}

/**
 * The summary cards, from the same answers as the banner so they agree: every number is either served by a
 * flow (the flows' exact numberCount) or has none (the report lists each one). A number the report lists
 * for any reason is losing calls or texts, never fine; `notConnected` (Twilio sends its calls or texts
 * elsewhere) and `noFlow` (no flow, or a missing part) are counted apart, a number with both in each.
 */
export function summaryCounts(flows: FlowList, report: UnassignedReport) {
  const numbers = flows.flows.reduce((sum, f) => sum + f.numberCount, 0) + report.totals.withoutFlow;
  const of = (keep: (n: ReportEntry) => boolean) => new Set(report.numbers.filter(keep).map((n) => n.number)).size;
  const losing = of(() => true);
  return { flows: flows.flows.length, numbers, losing, notConnected: of((n) => n.status === 'not_connected'), noFlow: of((n) => n.status !== 'not_connected'), fine: numbers - losing };
}

/** The reasons a sync mends (the URLs, a TwiML app); a SIP trunk never, a Messaging Service only when told how. */
export const SYNC_MENDS: ReadonlySet<NotConnectedReason> = new Set(['urls', 'twiml_app']);
