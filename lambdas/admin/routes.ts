// The admin API routes of DESIGN.md section 6 (and section 13's, carrier-routes.ts): each parses its input,
// calls a use case and shapes the answer; a failure is a named error (lambdas/errors.ts) that the
// adminErrors middleware answers.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { nameSchema } from '../flows/names';
import { groupInputSchema, userInputSchema } from '../flows/people';
import { scheduleInputSchema } from '../flows/schedule';
import { hashPin, PIN, PIN_RULE } from '../store/pins';
import * as flows from './flows';
import { etag, ifMatch, json, jsonBody, parseWith, phoneParam, revisionParam, type Response } from './http';
import * as messages from './messages';
import * as numbers from './numbers';
import * as people from './people';
import * as schedules from './schedules';
import { simulateFlow } from './simulate';
import { listQueues } from './queues';
import { importFlow } from './studio-import';
import { mailboxKey } from '../store/message-store';
import { buildUnassignedReport } from '../report/unassigned-report';
import { carrierRoutes, requestCarrierCheck } from './carrier-routes';
import { dispatch, type Route } from './router';
import { accessOf } from './access';
import { meRoutes } from './me';
import { addPerson, changePerson, invitationRoutes, removePerson } from './invitations';

type Deps = flows.AdminDeps;

const numberBody = z.strictObject({
  name: nameSchema.optional(),
  flowId: z.string().min(1).max(64).optional(),
});
const assignBody = z.strictObject({ flowId: z.string().min(1).max(64) });
const pinBody = z.strictObject({ pin: z.string().regex(PIN, PIN_RULE) });

/**
 * Who makes a change, as revisions and number assignments record it (`publishedBy`, `assignedBy`): nobody
 * in local mode without sign-in, where no one is known.
 */
const by = (d: Deps, e: APIGatewayProxyEventV2) => {
  const caller = accessOf(e, d).caller;
  return caller.via === 'open' ? undefined : caller.name;
};

const published = (r: flows.PublishResult, status = 200) => json(status, r, etag(r.revision));
const flowRead = (f: Awaited<ReturnType<typeof flows.getFlow>>) => json(200, f, etag(f.revision));
const scheduleRead = (s: { version: number }, status = 200) => json(status, s, etag(s.version));

/** Every route of the admin API; access.ts's ACCESS has a row for each. */
export const adminRoutes: readonly Route[] = [
  { method: 'GET', path: ['flows'], run: async (d) => json(200, await flows.dashboard(d)) },
  {
    method: 'POST',
    path: ['flows'],
    run: async (d, e) => published(await flows.publishFlow(d, undefined, flows.parseFlowDocument(jsonBody(e)), undefined, by(d, e)), 201),
  },
  {
    method: 'POST',
    path: ['flows', 'check'],
    run: async (d, e) => json(200, { problems: await flows.checkDocument(d, flows.parseFlowDocument(jsonBody(e))) }),
  },
  {
    method: 'POST',
    path: ['flows', 'import'],
    run: async (d, e) => {
      const { created, answer } = await importFlow(d, jsonBody(e));
      return created ? json(201, answer, etag(answer.revision!)) : json(200, answer);
    },
  },
  { method: 'GET', path: ['flows', ':id'], run: async (d, _e, p) => flowRead(await flows.getFlow(d, p.id)) },
  {
    method: 'PUT',
    path: ['flows', ':id'],
    run: async (d, e, p) => {
      const expected = ifMatch(e);
      return published(await flows.publishFlow(d, p.id, flows.parseFlowDocument(jsonBody(e)), expected, by(d, e)));
    },
  },
  {
    method: 'DELETE',
    path: ['flows', ':id'],
    run: async (d, e, p) => {
      const unassign = e.queryStringParameters?.unassign;
      if (unassign !== undefined && unassign !== 'true' && unassign !== 'false') {
        throw new ValidationError([{ path: 'unassign', message: 'must be true or false' }]);
      }
      await flows.deleteFlow(d, p.id, unassign === 'true', by(d, e));
      return json(204, undefined);
    },
  },
  {
    method: 'GET',
    path: ['flows', ':id', 'draft'],
    // No draft is not an error the page should see in its console: 204, nothing to restore.
    run: async (d, _e, p) => {
      const draft = await flows.getDraft(d, p.id);
      return draft ? json(200, draft) : json(204, undefined);
    },
  },
  { method: 'PUT', path: ['flows', ':id', 'draft'], run: async (d, e, p) => json(200, await flows.saveDraft(d, p.id, jsonBody(e))) },
  {
    method: 'DELETE',
    path: ['flows', ':id', 'draft'],
    run: async (d, _e, p) => {
      await flows.discardDraft(d, p.id);
      return json(204, undefined);
    },
  },
  { method: 'POST', path: ['flows', ':id', 'simulate'], run: async (d, e, p) => json(200, await simulateFlow(d, p.id, jsonBody(e))) },
  { method: 'GET', path: ['flows', ':id', 'revisions'], run: async (d, _e, p) => json(200, { revisions: await d.flows.listRevisions(p.id) }) },
  {
    method: 'GET',
    path: ['flows', ':id', 'revisions', ':revision'],
    run: async (d, _e, p) => flowRead(await flows.getFlow(d, p.id, revisionParam(p.revision))),
  },
  {
    method: 'POST',
    path: ['flows', ':id', 'revisions', ':revision', 'restore'],
    run: async (d, e, p) => published(await flows.restoreRevision(d, p.id, revisionParam(p.revision), ifMatch(e), by(d, e))),
  },
  { method: 'GET', path: ['flows', ':id', 'numbers'], run: async (d, _e, p) => json(200, await numbers.listFlowNumbers(d, p.id)) },
  {
    method: 'PUT',
    path: ['flows', ':id', 'numbers', ':number'],
    run: async (d, e, p) => json(200, await numbers.assignFlowToNumber(d, phoneParam(p.number), p.id, by(d, e))),
  },
  { method: 'GET', path: ['numbers'], run: async (d, e) => json(200, await numbers.listNumbers(d, e.queryStringParameters ?? {})) },
  { method: 'GET', path: ['numbers', ':number'], run: async (d, _e, p) => json(200, await numbers.getNumber(d, phoneParam(p.number))) },
  {
    method: 'PUT',
    path: ['numbers', ':number'],
    run: async (d, e, p) => {
      const number = phoneParam(p.number);
      const body = e.body ? parseWith(numberBody, jsonBody(e)) : {};
      const result = await numbers.putNumber(d, number, body, by(d, e));
      return json(result.created ? 201 : 200, result.number);
    },
  },
  {
    method: 'DELETE',
    path: ['numbers', ':number'],
    run: async (d, _e, p) => {
      await d.numbers.delete(phoneParam(p.number));
      return json(204, undefined);
    },
  },
  {
    method: 'PUT',
    path: ['numbers', ':number', 'flow'],
    run: async (d, e, p) => {
      const number = phoneParam(p.number);
      return json(200, await numbers.assignFlowToNumber(d, number, parseWith(assignBody, jsonBody(e)).flowId, by(d, e)));
    },
  },
  {
    method: 'DELETE',
    path: ['numbers', ':number', 'flow'],
    run: async (d, e, p) => json(200, await numbers.unassignFlowFromNumber(d, phoneParam(p.number), by(d, e))),
  },
  { method: 'GET', path: ['users'], run: async (d) => json(200, { users: await d.directory.listUsers() }) },
  { method: 'POST', path: ['users'], run: async (d, e) => json(201, await addPerson(d, parseWith(userInputSchema, jsonBody(e)))) },
  { method: 'GET', path: ['users', ':id'], run: async (d, _e, p) => json(200, await d.directory.getUser(p.id)) },
  {
    method: 'PUT',
    path: ['users', ':id'],
    run: async (d, e, p) => {
      // A changed role is the account's too (invitations.ts).
      return json(200, await changePerson(d, p.id, parseWith(userInputSchema, jsonBody(e))));
    },
  },
  {
    method: 'DELETE',
    path: ['users', ':id'],
    run: async (d, _e, p) => {
      // The person's account goes with them (invitations.ts).
      await removePerson(d, p.id);
      return json(204, undefined);
    },
  },
  {
    method: 'PUT',
    path: ['users', ':id', 'pin'],
    run: async (d, e, p) => {
      // Hashed before it is stored (pins.ts); the PIN itself is never stored, logged or answered.
      await d.directory.setPinHash(p.id, await hashPin(parseWith(pinBody, jsonBody(e)).pin));
      return json(204, undefined);
    },
  },
  {
    method: 'DELETE',
    path: ['users', ':id', 'pin'],
    run: async (d, _e, p) => {
      await d.directory.setPinHash(p.id, undefined);
      return json(204, undefined);
    },
  },
  { method: 'GET', path: ['schedules'], run: async (d) => json(200, { schedules: await schedules.listSchedules(d) }) },
  { method: 'POST', path: ['schedules'], run: async (d, e) => scheduleRead(await schedules.createSchedule(d, parseWith(scheduleInputSchema, jsonBody(e))), 201) },
  { method: 'GET', path: ['schedules', ':id'], run: async (d, _e, p) => scheduleRead(await schedules.getSchedule(d, p.id)) },
  {
    method: 'PUT',
    path: ['schedules', ':id'],
    run: async (d, e, p) => {
      const expected = ifMatch(e, 'version');
      return scheduleRead(await schedules.updateSchedule(d, p.id, parseWith(scheduleInputSchema, jsonBody(e)), expected));
    },
  },
  {
    method: 'DELETE',
    path: ['schedules', ':id'],
    run: async (d, e, p) => {
      await schedules.deleteSchedule(d, p.id, ifMatch(e, 'version'));
      return json(204, undefined);
    },
  },
  { method: 'PUT', path: ['schedules', ':id', 'override'], run: async (d, e, p) => scheduleRead(await schedules.setOverride(d, p.id, jsonBody(e))) },
  { method: 'DELETE', path: ['schedules', ':id', 'override'], run: async (d, _e, p) => scheduleRead(await schedules.clearOverride(d, p.id)) },
  { method: 'GET', path: ['groups'], run: async (d) => json(200, { groups: await d.directory.listGroups() }) },
  { method: 'POST', path: ['groups'], run: async (d, e) => json(201, await d.directory.createGroup(parseWith(groupInputSchema, jsonBody(e)))) },
  { method: 'GET', path: ['groups', ':id'], run: async (d, _e, p) => json(200, await d.directory.getGroup(p.id)) },
  {
    method: 'PUT',
    path: ['groups', ':id'],
    run: async (d, e, p) => {
      const input = parseWith(groupInputSchema, jsonBody(e));
      return json(200, await people.updateGroup(d, p.id, input));
    },
  },
  {
    method: 'DELETE',
    path: ['groups', ':id'],
    run: async (d, _e, p) => {
      await d.directory.deleteGroup(p.id);
      return json(204, undefined);
    },
  },
  {
    method: 'GET',
    path: ['mailboxes', 'user', ':id', 'messages'],
    run: async (d, _e, p) => {
      await d.directory.getUser(p.id);
      return json(200, { messages: await d.messages.list(mailboxKey({ kind: 'user', id: p.id })) });
    },
  },
  {
    method: 'GET',
    path: ['mailboxes', 'group', ':id', 'messages'],
    run: async (d, _e, p) => {
      await d.directory.getGroup(p.id);
      return json(200, { messages: await d.messages.list(mailboxKey({ kind: 'group', id: p.id })) });
    },
  },
  { method: 'GET', path: ['mailboxes', 'unrouted', 'messages'], run: async (d) => json(200, { messages: await d.messages.list('unrouted') }) },
  { method: 'GET', path: ['recordings', ':sid'], run: (d, _e, p) => messages.recordingMedia(d, p.sid) },
  { method: 'PUT', path: ['messages', ':id', 'read'], run: async (d, e, p) => json(200, await messages.markRead(d, p.id, jsonBody(e))) },
  { method: 'POST', path: ['messages', ':id', 'reply'], run: async (d, e, p) => json(202, await messages.replyByText(d, p.id, jsonBody(e))) },
  {
    method: 'DELETE',
    path: ['messages', ':id'],
    run: async (d, _e, p) => {
      await messages.deleteMessage(d, p.id);
      return json(204, undefined);
    },
  },
  { method: 'GET', path: ['report', 'unassigned'], run: async (d, e) => json(200, await buildUnassignedReport({ ...d, carrierCheck: requestCarrierCheck(d, e) }, d.now())) },
  { method: 'GET', path: ['calls', ':sid'], run: async (d, _e, p) => json(200, await d.traces.get(p.sid)) },
  { method: 'GET', path: ['queues'], run: async (d) => json(200, await listQueues(d)) },
  ...carrierRoutes,
  ...meRoutes,
  ...invitationRoutes,
];

export function route(deps: Deps, event: APIGatewayProxyEventV2): Promise<Response> {
  return dispatch(adminRoutes, deps, event);
}
