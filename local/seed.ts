// The demo of DESIGN.md section 9: three users, a Sales group, the "Main line" flow (hours, menu, dial,
// voicemail; an sms part with reply and inbox) and three numbers, one of them without a flow; and a
// shared schedule with US holidays (section 15), which Bob, an editor with the demo PIN, can close by text.
// Written through the same use cases as the admin API, so the demo obeys every invariant.
import { publishFlow, type AdminDeps } from '../lambdas/admin/flows';
import { flowDocumentSchema } from '../lambdas/flows/schema';
import { hashPin } from '../lambdas/store/pins';

export const DEMO_NUMBERS = { main: '+15550100001', sales: '+15550100002', spare: '+15550100003' };
/** Bob's override PIN in the demo (local only): `npm run sms -- --from +15550200002 --to +15550100001 --body "CLOSE US office 2468"`. */
export const DEMO_PIN = '2468';

export async function seedDemo(deps: AdminDeps): Promise<{ seeded: boolean; flowId?: string }> {
  if ((await deps.flows.listHeads()).length > 0) return { seeded: false };
  // Each has an email, which links them to their account with `npm start -- --auth` (local/stack.ts), and
  // a role, which is the account's role (docs/decisions.md): one of each. Bob, the editor, has a PIN to
  // close and open a schedule by text.
  const ann = await deps.directory.createUser({ name: 'Ann Example', phone: '+15550200001', client: 'ann', email: 'ann@example.com', available: true, role: 'member' });
  const bob = await deps.directory.createUser({ name: 'Bob Example', phone: '+15550200002', email: 'bob@example.com', available: true, role: 'editor' });
  await deps.directory.setPinHash(bob.id, await hashPin(DEMO_PIN));
  const cy = await deps.directory.createUser({ name: 'Cy Example', phone: '+15550200003', email: 'cy@example.com', available: true, role: 'admin' });
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
  const nineToFive = [['09:00', '17:00']] as Array<[string, string]>;
  await deps.schedules.create(
    {
      name: 'US office',
      timezone: 'America/New_York',
      weekly: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: [], sun: [] },
      rules: [
        { name: 'New Year', on: { yearly: '--01-01' } },
        { name: 'Memorial Day', on: { nth: { month: 5, weekday: 'mon', n: -1 } } },
        { name: 'Independence Day', on: { yearly: '--07-04' } },
        { name: 'Thanksgiving', on: { nth: { month: 11, weekday: 'thu', n: 4 } } },
        { name: 'Christmas Eve', on: { yearly: '--12-24' }, hours: [['09:00', '13:00']] },
        { name: 'Christmas', on: { yearly: '--12-25' } },
      ],
    },
    now,
  );
  await deps.numbers.register(DEMO_NUMBERS.main, 'Main line', flow.id, now);
  await deps.numbers.register(DEMO_NUMBERS.sales, 'Sales line', flow.id, now);
  await deps.numbers.register(DEMO_NUMBERS.spare, 'Spare line', undefined, now);
  return { seeded: true, flowId: flow.id };
}
