// The scheduled run: build the report, put its metrics, publish it when it is not empty and not a
// repeat of the last one within a day. Only a publication moves the "last report" mark.
import type { StateStore } from '../store/state-store';
import { formatReport } from './format';
import { buildUnassignedReport, fingerprintOf, REPORT_MARK_KEY, type ReportDeps, type ReportMark, type UnassignedReport } from './unassigned-report';

export const REPEAT_AFTER_MS = 24 * 60 * 60 * 1000;
/** SNS subjects are at most 100 characters. */
const SUBJECT_MAX = 100;

export interface Publisher {
  publish(subject: string, message: string): Promise<void>;
}

export type RunResult = { published: boolean; reason: 'empty' | 'unchanged' | 'published'; report: UnassignedReport };

export async function runScheduledReport(
  deps: ReportDeps & { state: Pick<StateStore, 'unroutedSince' | 'getValue' | 'putValue'> },
  publisher: Publisher,
  now: Date,
  writeMetrics: (report: UnassignedReport) => void,
): Promise<RunResult> {
  const report = await buildUnassignedReport(deps, now);
  writeMetrics(report);
  if (report.numbers.length === 0) return { published: false, reason: 'empty', report };
  const fingerprint = fingerprintOf(report);
  const last = await deps.state.getValue<ReportMark>(REPORT_MARK_KEY);
  const lostSinceLast = report.totals.lostCalls + report.totals.lostTexts > 0;
  // New losses are news; the same numbers with nothing lost are repeated at most once a day.
  if (last && last.fingerprint === fingerprint && !lostSinceLast && now.getTime() - Date.parse(last.publishedAt) < REPEAT_AFTER_MS) {
    return { published: false, reason: 'unchanged', report };
  }
  const subject = report.subject.length > SUBJECT_MAX ? `${report.subject.slice(0, SUBJECT_MAX - 3)}...` : report.subject;
  await publisher.publish(subject, formatReport(report));
  await deps.state.putValue(REPORT_MARK_KEY, { publishedAt: now.toISOString(), fingerprint } satisfies ReportMark);
  return { published: true, reason: 'published', report };
}

/** The report's metrics (DESIGN.md section 7): the stack alarms on each. */
export function reportMetricValues(report: UnassignedReport): Record<string, number> {
  return {
    NumbersWithoutFlow: report.totals.withoutFlow,
    NumbersWithoutCallFlow: report.totals.withoutCallFlow,
    NumbersWithoutSmsFlow: report.totals.withoutSmsFlow,
    NumbersNotConnected: report.totals.notConnected,
    UnroutedCalls: report.totals.lostCalls,
    UnroutedTexts: report.totals.lostTexts,
  };
}
