// The dashboard's words for the numbers the report lists (web/src/report-text.ts): a number whose Twilio
// URLs point elsewhere (issue 13) is named as not connected, never as a flow problem.
import { notConnectedNumbers, reportLine } from '../../web/src/report-text';
import type { ReportEntry } from '../../lambdas/api-types';

const entry = (number: string, status: ReportEntry['status']): ReportEntry => ({ number, name: number, status, flowId: null, since: '2026-12-01T00:00:00Z', lostCalls: 0, lostTexts: 0, fix: '' });

test('each report status has its own words', () => {
  expect(reportLine(entry('+15550100001', 'no_flow'))).toBe('no flow');
  expect(reportLine(entry('+15550100001', 'no_call_flow'))).toBe('no call flow');
  expect(reportLine(entry('+15550100001', 'no_sms_flow'))).toBe('no SMS flow');
  expect(reportLine(entry('+15550100001', 'not_connected'))).toMatch(/^not connected: its Twilio URLs point elsewhere/);
});

test('the Numbers table marks exactly the numbers the carrier check found pointing elsewhere', () => {
  const entries = [entry('+15550100001', 'not_connected'), entry('+15550100003', 'no_flow'), entry('+15550100003', 'not_connected'), entry('+15550100004', 'no_sms_flow')];
  expect([...notConnectedNumbers(entries)].sort()).toEqual(['+15550100001', '+15550100003']);
  expect(notConnectedNumbers(undefined).size).toBe(0);
});
