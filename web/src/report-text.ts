// What the report banner and the Numbers table say about a number the report lists (DESIGN.md sections 7 and 13).
import type { ReportEntry, ReportStatus } from '../../lambdas/api-types';

const WHY: Record<ReportStatus, string> = {
  no_flow: 'no flow',
  no_call_flow: 'no call flow',
  no_sms_flow: 'no SMS flow',
  not_connected: 'not connected: its Twilio URLs point elsewhere (npm run carrier -- sync)',
};

export const reportReason = (status: ReportStatus): string => WHY[status] ?? status;

/** One banner line: the number's problem and since when. */
export const reportLine = (entry: Pick<ReportEntry, 'status'>): string => reportReason(entry.status);

/** The numbers the carrier check found pointing elsewhere (a number can also be listed for its flow). */
export const notConnectedNumbers = (entries: readonly ReportEntry[] | undefined): Set<string> =>
  new Set((entries ?? []).filter((e) => e.status === 'not_connected').map((e) => e.number));
