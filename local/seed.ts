// The demo of DESIGN.md section 9: three users, a Sales group, the "Main line" flow (hours, menu, dial,
// voicemail; an sms part with reply and inbox) and three numbers, one of them without a flow.
// Written through the same use cases as the admin API, so the demo obeys every invariant.
import { publishFlow, type AdminDeps } from '../lambdas/admin/flows';
import { flowDocumentSchema } from '../lambdas/flows/schema';

export const DEMO_NUMBERS = { main: '+15550100001', sales: '+15550100002', spare: '+15550100003' };

export async function seedDemo(deps: AdminDeps): Promise<{ seeded: boolean; flowId?: string }> {
  if ((await deps.flows.listHeads()).length > 0) return { seeded: false };
  const ann = await deps.directory.createUser({ name: 'Ann Example', phone: '+15550200001', client: 'ann', email: 'ann@example.com', available: true });
  // Each has an email: with `npm start -- --auth` it links them to their accounts (local/stack.ts DEMO_ACCOUNTS).
  const bob = await deps.directory.createUser({ name: 'Bob Example', phone: '+15550200002', email: 'bob@example.com', available: true });
  const cy = await deps.directory.createUser({ name: 'Cy Example', phone: '+15550200003', email: 'cy@example.com', available: true });
  const sales = await deps.directory.createGroup({ name: 'Sales', members: [ann.id, bob.id, cy.id] });
  const doc = flowDocumentSchema.parse({
    name: 'Main line',
    call: {
      start: 'hours',
      applets: {
        hours: {
          type: 'hours',
          timezone: 'America/New_York',
          weekly: {
            mon: [['09:00', '17:00']], tue: [['09:00', '12:00'], ['13:00', '17:00']], wed: [['09:00', '17:00']],
            thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [],
          },
          closures: [{ date: '2026-12-24', name: 'Christmas Eve' }, { date: '--01-01', name: 'New Year' }],
          open: 'greet',
          closed: 'vm',
        },
        greet: { type: 'say', prompt: { text: 'Thanks for calling Acme.' }, next: 'menu' },
        menu: {
          type: 'menu',
          prompt: { text: 'For sales press 1. For support press 2.' },
          options: { '1': 'sales', '2': 'support' },
          attempts: 3,
          timeoutSeconds: 5,
          invalidPrompt: { text: 'Sorry, that is not an option.' },
          fallback: 'vm',
        },
        sales: { type: 'dial', group: sales.id, strategy: 'sequential', noAnswer: 'vm' },
        support: { type: 'dial', user: ann.id, screen: true, noAnswer: 'vm' },
        vm: { type: 'voicemail', prompt: { text: 'Please leave a message after the tone.' }, mailbox: { group: sales.id }, maxSeconds: 120, transcribe: true },
      },
    },
    sms: {
      start: 'reply',
      applets: {
        reply: { type: 'reply', text: 'Thanks, we will get back to you shortly.', next: 'inbox' },
        inbox: { type: 'inbox', mailbox: { group: sales.id }, notify: true },
      },
    },
  });
  const flow = await publishFlow(deps, undefined, doc);
  const now = deps.now();
  await deps.numbers.register(DEMO_NUMBERS.main, 'Main line', flow.id, now);
  await deps.numbers.register(DEMO_NUMBERS.sales, 'Sales line', flow.id, now);
  await deps.numbers.register(DEMO_NUMBERS.spare, 'Spare line', undefined, now);
  return { seeded: true, flowId: flow.id };
}
