// The access table (lambdas/admin/access.ts) against the admin router itself (lambdas/admin/routes.ts):
// every route has its own row, and every row names a route. A route added without a row fails here
// (at run time it would be an admin's alone).
import { ACCESS, rolesAllowed, ruleFor } from '../../lambdas/admin/access';
import { adminRoutes } from '../../lambdas/admin/routes';

const key = (method: string, path: string) => `${method} /api/${path}`;
/** A request path for a route's pattern: each `:param` becomes a value. */
const sample = (pattern: readonly string[]) => pattern.map((s) => (s.startsWith(':') ? `${s.slice(1)}-1` : s));

test('every route of the admin router has its own row in the access table', () => {
  expect(adminRoutes.length).toBeGreaterThan(50);
  const missing = adminRoutes.filter((r) => {
    const { rule, listed } = ruleFor(r.method, sample(r.path));
    return !listed || rule.path !== r.path.join('/');
  });
  expect(missing.map((r) => key(r.method, r.path.join('/')))).toEqual([]);
});

test('every row of the access table names a route of the router (HEAD goes with GET)', () => {
  const routed = new Set(adminRoutes.map((r) => key(r.method, r.path.join('/'))));
  const stale = ACCESS.flatMap((rule) => rule.methods.filter((m) => m !== 'HEAD').map((m) => key(m, rule.path))).filter((k) => !routed.has(k));
  expect(stale).toEqual([]);
});

test('no two rows cover the same route', () => {
  const seen = ACCESS.flatMap((rule) => rule.methods.map((m) => key(m, rule.path)));
  expect(seen.filter((k, i) => seen.indexOf(k) !== i)).toEqual([]);
});

test('a path no row names is an admin’s', () => {
  const { rule, listed } = ruleFor('POST', ['something', 'new']);
  expect(listed).toBe(false);
  expect(rolesAllowed(rule)).toEqual(['admin']);
});

// The routes main added with schedules, the Studio import, outbound texts, the sync job and call queues,
// with the roles DESIGN.md section 16 (and issue 21's brief where it names none) gives them.
test.each([
  ['GET', 'schedules', ['member', 'editor', 'admin']],
  ['GET', 'schedules/:id', ['member', 'editor', 'admin']],
  ['POST', 'schedules', ['editor', 'admin']],
  ['PUT', 'schedules/:id', ['editor', 'admin']],
  ['DELETE', 'schedules/:id', ['editor', 'admin']],
  ['PUT', 'schedules/:id/override', ['editor', 'admin']],
  ['DELETE', 'schedules/:id/override', ['editor', 'admin']],
  ['POST', 'flows/import', ['editor', 'admin']],
  ['GET', 'carrier/studio-flows', ['editor', 'admin']],
  ['GET', 'carrier/studio-flows/:sid', ['editor', 'admin']],
  ['POST', 'carrier/studio-flows/:sid/take-over', ['admin']],
  ['GET', 'carrier/messages', ['admin']],
  ['POST', 'carrier/sync', ['admin']],
  ['GET', 'carrier/sync', ['admin']],
  ['GET', 'carrier/sync/:jobId', ['admin']],
  ['GET', 'carrier/numbers', ['admin']],
  ['GET', 'queues', ['member', 'editor', 'admin']],
  ['PUT', 'users/:id/pin', ['admin']],
  ['DELETE', 'users/:id/pin', ['admin']],
  // Issue 20's: drafts are editors' (a member neither reads nor writes one); one message's routes are
  // editors', and a member's for a message in their own or their groups' mailbox (the row's own rule).
  ['GET', 'flows/:id/draft', ['editor', 'admin']],
  ['PUT', 'flows/:id/draft', ['editor', 'admin']],
  ['DELETE', 'flows/:id/draft', ['editor', 'admin']],
  ['GET', 'recordings/:sid', ['editor', 'admin']],
  ['PUT', 'messages/:id/read', ['editor', 'admin']],
  ['POST', 'messages/:id/reply', ['editor', 'admin']],
  ['DELETE', 'messages/:id', ['editor', 'admin']],
])('%s /api/%s: %j', (method, path, roles) => {
  const { rule, listed } = ruleFor(method, sample(path.split('/')));
  expect(listed).toBe(true);
  expect(rule.path).toBe(path);
  expect(rolesAllowed(rule)).toEqual(roles);
});

test('one message is also its mailbox owner’s (the rows say whose); a draft never a member’s', () => {
  for (const [method, path] of [['GET', ['recordings', 'RE1']], ['PUT', ['messages', 'm1', 'read']], ['POST', ['messages', 'm1', 'reply']], ['DELETE', ['messages', 'm1']]] as const) {
    expect(ruleFor(method, [...path]).rule.own).toBeDefined();
  }
  expect(ruleFor('GET', ['flows', 'f1', 'draft']).rule.own).toBeUndefined();
});

test('a PIN is also its owner’s to set (the row says whose)', () => {
  expect(ruleFor('PUT', ['users', 'u1', 'pin']).rule.own).toBeDefined();
  expect(ruleFor('PUT', ['users', 'u1']).rule.own).toBeUndefined();
});
