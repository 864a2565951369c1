// Compile-time checks, not a jest test: `tsc` (test/unit/typecheck.test.ts, in CI) compiles this file.
// The dashboard keeps its own copy of the admin API's answer types (web/src/types.ts: the browser build
// has no Node types, so it cannot import the server's modules). Each answer the server builds must fit
// the type the dashboard reads it as: a field renamed, dropped or retyped on the server fails CI instead
// of breaking the page.
import type * as Web from '../../web/src/types';
import type { dashboard, getFlow, PublishResult } from '../../lambdas/admin/flows';
import type { listFlowNumbers, listNumbers } from '../../lambdas/admin/numbers';
import type { simulateFlow } from '../../lambdas/admin/simulate';
import type { Problem } from '../../lambdas/flows/problems';
import type { UnassignedReport } from '../../lambdas/report/unassigned-report';
import type { DirectoryStore } from '../../lambdas/store/directory-store';
import type { FlowStore } from '../../lambdas/store/flow-store';
import type { Message } from '../../lambdas/store/message-store';

type Answer<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>>;
/** Compiles only when what the server sends (`Sent`) can be read as what the dashboard expects (`Read`). */
type Fits<Sent extends Read, Read> = [Sent, Read];

export type Checked = [
  Fits<Answer<typeof dashboard>, { flows: Web.FlowRow[] }>,
  Fits<Answer<typeof getFlow>, Web.Flow>,
  Fits<PublishResult, { revision: number; problems: Web.Problem[] }>,
  Fits<Problem, Web.Problem>,
  Fits<Answer<typeof listNumbers>, { numbers: Web.NumberRow[]; nextCursor?: string }>,
  Fits<Answer<typeof listFlowNumbers>, { numbers: Web.NumberRow[] }>,
  Fits<UnassignedReport, Web.Report>,
  Fits<Answer<DirectoryStore['listUsers']>, Web.User[]>,
  Fits<Answer<DirectoryStore['listGroups']>, Web.Group[]>,
  Fits<Message, Web.Message>,
  Fits<Answer<FlowStore['listRevisions']>, Web.Revision[]>,
  Fits<Answer<typeof simulateFlow>, Web.Simulation>,
];
