// The report as text: the SNS message on-call engineers read, and `npm run report`.
import type { UnassignedReport } from './unassigned-report';

export function formatReport(report: UnassignedReport): string {
  const lines = [report.subject, ''];
  if (report.numbers.length === 0) {
    lines.push('Nothing to fix.');
  } else {
    const rows = report.numbers.map((n) => [n.number, n.name, n.status, n.since, String(n.lostCalls), String(n.lostTexts)]);
    const header = ['NUMBER', 'NAME', 'STATUS', 'SINCE', 'LOST CALLS', 'LOST TEXTS'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const fmt = (r: string[]) => r.map((c, i) => (i >= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
    lines.push(fmt(header));
    report.numbers.forEach((n, i) => {
      lines.push(fmt(rows[i]));
      lines.push(`  fix: ${n.fix}`);
    });
  }
  lines.push('', `Lost traffic counted since ${report.lastReportAt ?? 'the first event on record'}; generated ${report.generatedAt}.`);
  return lines.join('\n');
}
