// One carrier request across flows (lambdas/flows/call-request.ts): the redirect protocol the voice
// webhook and the simulator share. DESIGN.md section 3 (`redirect`) and issue 9 (loops end).
import { startCall, type CallContext } from '../../lambdas/flows/call-engine';
import { lastRevision, MAX_FLOW_REDIRECTS, runCallRequest, type LoadedRevision } from '../../lambdas/flows/call-request';
import type { EnginePorts } from '../../lambdas/flows/engine';
import { flowDocumentSchema } from '../../lambdas/flows/schema';

const noPorts: EnginePorts = {
  nextRoundRobinStart: () => Promise.reject(new Error('not expected')),
  stickyMember: () => Promise.reject(new Error('not expected')),
  rememberSticky: () => Promise.reject(new Error('not expected')),
  presence: () => Promise.reject(new Error('not expected')),
};
const directory = { users: new Map(), groups: new Map(), flowIds: new Set<string>() };
const revisionOf = (flowId: string, call: unknown): LoadedRevision => ({ flowId, revision: 1, document: flowDocumentSchema.parse({ name: flowId, call }) });

function flows(...revisions: LoadedRevision[]) {
  const byId = new Map(revisions.map((r) => [r.flowId, r]));
  const loads: string[] = [];
  const visited: number[] = [];
  return {
    loads,
    visited,
    ports: {
      load: async (id: string) => (loads.push(id), byId.get(id)),
      context: (_r: LoadedRevision, visitedBefore: number): CallContext => (visited.push(visitedBefore), { now: new Date('2026-03-02T15:00:00Z'), from: '+15550107777', to: '+15550100001', directory, ports: noPorts, visitedBefore }),
    },
  };
}

test('a greeting before a redirect is still spoken: instructions of every flow are kept, in order', async () => {
  const a = revisionOf('flw_a', { start: 'hi', applets: { hi: { type: 'say', prompt: { text: 'Hello from A.' }, next: 'go' }, go: { type: 'redirect', flow: 'flw_b' } } });
  const b = revisionOf('flw_b', { start: 'hi', applets: { hi: { type: 'say', prompt: { text: 'Hello from B.' }, next: 'bye' }, bye: { type: 'hangup' } } });
  const f = flows(a, b);
  const run = await runCallRequest(a, startCall, f.ports);
  expect(run.brokenRedirect).toBeUndefined();
  expect(run.instructions.filter((i) => i.kind === 'say').map((i) => (i as { prompt: { text: string } }).prompt.text)).toEqual(['Hello from A.', 'Hello from B.']);
  expect(run.segments.map((s) => [s.revision.flowId, s.steps.map((x) => x.applet)])).toEqual([['flw_a', ['hi', 'go']], ['flw_b', ['hi', 'bye']]]);
  expect(lastRevision(run).flowId).toBe('flw_b');
  // The runaway guard counts across flows: B starts after A's two applets.
  expect(f.visited).toEqual([0, 2]);
});

test(`a redirect cycle (A -> B -> A ...) stops after ${MAX_FLOW_REDIRECTS} redirects instead of spinning`, async () => {
  const a = revisionOf('flw_a', { start: 'go', applets: { go: { type: 'redirect', flow: 'flw_b' } } });
  const b = revisionOf('flw_b', { start: 'go', applets: { go: { type: 'redirect', flow: 'flw_a' } } });
  const f = flows(a, b);
  const run = await runCallRequest(a, startCall, f.ports);
  expect(run.brokenRedirect).toEqual({ flowId: expect.stringMatching(/^flw_[ab]$/), reason: 'redirect_limit' });
  expect(f.loads).toHaveLength(MAX_FLOW_REDIRECTS);
  expect(run.segments).toHaveLength(MAX_FLOW_REDIRECTS + 1);
});

test('a redirect to a flow that does not exist (or has no call part) is reported, not followed', async () => {
  const a = revisionOf('flw_a', { start: 'go', applets: { go: { type: 'redirect', flow: 'flw_gone' } } });
  const run = await runCallRequest(a, startCall, flows(a).ports);
  expect(run.brokenRedirect).toEqual({ flowId: 'flw_gone', reason: 'missing_flow' });
  expect(lastRevision(run).flowId).toBe('flw_a');
});
