// The dashboard's words for the numbers the report lists (web/src/report-text.ts): a number whose Twilio
// URLs point elsewhere (issue 13) is named as not connected, never as a flow problem.
import { notConnectedNumbers, reportLine, summaryCounts, syncProgress } from '../../web/src/report-text';
import type { CarrierSyncJob, FlowList, ReportEntry, UnassignedReport } from '../../lambdas/api-types';

const entry = (number: string, status: ReportEntry['status']): ReportEntry => ({ number, name: number, status, flowId: null, since: '2026-12-01T00:00:00Z', lostCalls: 0, lostTexts: 0, fix: '' });

test('each report status has its own words', () => {
  expect(reportLine(entry('+15550100001', 'no_flow'))).toBe('no flow');
  expect(reportLine(entry('+15550100001', 'no_call_flow'))).toBe('no call flow');
  expect(reportLine(entry('+15550100001', 'no_sms_flow'))).toBe('no SMS flow');
  expect(reportLine(entry('+15550100001', 'not_connected'))).toMatch(/^not connected: its Twilio URLs point elsewhere/);
});

test('the Numbers table marks exactly the numbers the carrier check found pointing elsewhere', () => {
  const entries = [entry('+15550100001', 'not_connected'), entry('+15550100003', 'no_flow'), entry('+15550100003', 'not_connected'), entry('+15550100004', 'no_sms_flow')];
  expect([...notConnectedNumbers(entries).keys()].sort()).toEqual(['+15550100001', '+15550100003']);
  expect(notConnectedNumbers(undefined).size).toBe(0);
});

test('a number that is not connected is named by what takes its calls or texts', () => {
  const why = (reason: ReportEntry['reason']) => reportLine({ ...entry('+15550100001', 'not_connected'), reason });
  expect(why('urls')).toBe('not connected: its Twilio URLs point elsewhere');
  expect(why('twiml_app')).toBe('not connected: a TwiML app takes its calls or texts');
  expect(why('sip_trunk')).toBe('not connected: a SIP trunk takes its calls');
  expect(why('messaging_service')).toBe('not connected: its Messaging Service takes its texts');
});

test('a sync’s progress in words: counting, numbers done of the total, failures, the end, a stop', () => {
  const job: CarrierSyncJob = {
    id: 'sync_0123456789abcdef', status: 'running', phase: 'count', total: null, done: 0, failed: 0, imported: 0, connected: 0, unchanged: 0,
    servicesChanged: 0, notConnected: {}, failures: [], startedAt: '2026-12-01T00:00:00Z', updatedAt: '2026-12-01T00:00:00Z',
  };
  expect(syncProgress(job)).toBe('Connecting to Twilio: reading the account’s numbers…');
  expect(syncProgress({ ...job, phase: 'numbers', total: 10_000, done: 4_200, failed: 3 })).toBe('Connecting to Twilio: 4,200 of 10,000 numbers (3 failed)…');
  expect(syncProgress({ ...job, status: 'done', phase: 'numbers', total: 10_000, done: 10_000, imported: 9_000, connected: 9_990, unchanged: 10, notConnected: { sip_trunk: 2 } }))
    .toBe('Connected to Twilio: 9,000 imported, 9,990 connected, 10 already fine; 2 still not connected (see below).');
  expect(syncProgress({ ...job, status: 'failed', phase: 'numbers', total: 10_000, done: 4_000, error: 'Twilio 503' })).toBe('The sync stopped at 4,000 of 10,000 numbers: Twilio 503. Start it again to resume there.');
});

test('summary counts: not connected and no flow apart, a number with both in each, once among the losing, never fine', () => {
  const entry = (number: string, status: string) => ({ number, status }) as unknown as ReportEntry;
  const flows = { flows: [{ numberCount: 3 }, { numberCount: 1 }] } as unknown as FlowList;
  const report = {
    totals: { withoutFlow: 2 },
    numbers: [entry('+1', 'not_connected'), entry('+2', 'no_flow'), entry('+2', 'not_connected'), entry('+3', 'no_sms_flow'), entry('+4', 'no_flow')],
  } as unknown as UnassignedReport;
  expect(summaryCounts(flows, report)).toEqual({ flows: 2, numbers: 6, losing: 4, notConnected: 2, noFlow: 3, fine: 2 });
});
