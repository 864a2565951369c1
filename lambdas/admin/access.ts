// Who may call which admin route (DESIGN.md section 16), in one place: the caller is read from what the
// HTTP API's authorizers put on the event (or the local server, which does the same), then the row of
// ACCESS for the route (method and path, as the router names it) decides. A route no row names is an
// admin's: one added later is closed to members and editors until a row opens it, and the table's test
// (test/unit/access-table.test.ts) fails until every route of the router has its row.
//
// Callers:
//   - signed with AWS credentials (the IAM authorizer: requestContext.authorizer.iam): an admin. The
//     command-line tools call /cli/api/* this way (lib/admin-api.ts).
//   - a token checked by the JWT authorizer (requestContext.authorizer.jwt.claims): their directory user
//     is the one whose email is the token's `email`, and their role that user's `role` (absent: member).
//     Only an account no directory user has yet (the first admin) is judged by its Cognito groups
//     (`cognito:groups`, the highest of admin > editor > member), which mirror the directory's role.
//   - local mode without --auth: everyone is an admin (the API listens on loopback only).
// Anything else is 401: a function reached without an authorizer's word is misconfigured, and says so.
import type { APIGatewayEventRequestContextIAMAuthorizer, APIGatewayEventRequestContextJWTAuthorizer, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { MiddlewareObj } from '@middy/core';
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../errors';
import type { User } from '../flows/people';
import type { AdminDeps } from './flows';
import type { Response } from './http';
import type { AdminEvent } from './middleware';

import { ROLES, type Role } from '../flows/roles';

export { ROLES, type Role };
const RANK: Record<Role, number> = { member: 1, editor: 2, admin: 3 };

export interface Caller {
  via: 'iam' | 'token' | 'open';
  /** Undefined: signed in, but in no role group. */
  role: Role | undefined;
  /** The token's email (lower case), which links the account to a directory user. */
  email?: string;
  /** Who did it, as revisions and assignments record it (`publishedBy`, `assignedBy`). */
  name: string;
}

/** What API Gateway puts on a v2 event when a route has an IAM or a JWT authorizer. */
type Authorizer = Partial<APIGatewayEventRequestContextIAMAuthorizer & APIGatewayEventRequestContextJWTAuthorizer>;

const authorizerOf = (event: APIGatewayProxyEventV2): Authorizer | undefined => (event.requestContext as { authorizer?: Authorizer }).authorizer;

/**
 * `cognito:groups` as it reaches the function: API Gateway hands array claims over as one string,
 * `[admin editor]`; a JSON array string or a real array (tests, other issuers) is read too.
 */
export function groupsClaim(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  const text = value.trim();
  if (text.startsWith('[') && text.includes('"')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: API Gateway's own form below
    }
  }
  return text.replace(/^\[|\]$/g, '').split(/[\s,]+/).filter(Boolean);
}

/** The highest role among `groups`; other groups are ignored. */
export function roleOf(groups: readonly string[]): Role | undefined {
  return groups.filter((g): g is Role => (ROLES as readonly string[]).includes(g)).sort((a, b) => RANK[b] - RANK[a])[0];
}

export function callerOf(event: APIGatewayProxyEventV2, open: boolean): Caller {
  const authorizer = authorizerOf(event);
  if (authorizer?.iam) return { via: 'iam', role: 'admin', name: authorizer.iam.userArn ?? authorizer.iam.callerId ?? 'aws' };
  const claims = authorizer?.jwt?.claims;
  if (claims) {
    const email = typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : undefined;
    const name = email ?? String(claims['cognito:username'] ?? claims.sub ?? 'unknown');
    return { via: 'token', role: roleOf(groupsClaim(claims['cognito:groups'])), ...(email && { email }), name };
  }
  if (open) return { via: 'open', role: 'admin', name: 'local' };
  throw new UnauthorizedError('this request carries no valid token (send Authorization: Bearer <ID token>)');
}

// ---------------------------------------------------------------------------------------------------
// The table

type Params = Record<string, string>;

export interface Rule {
  /** HTTP methods the rule covers. */
  methods: readonly string[];
  /** A route's path under /api/ as the router writes it (routes.ts): segments, `:name` for one parameter. */
  path: string;
  /** The lowest role that may; 'signed-in' lets any valid token through (the route checks the rest). */
  allow: Role | 'signed-in';
  /** Said in the 403: what the caller tried. */
  what: string;
  /** Below `allow`, the caller may still when this says the thing is theirs. */
  own?: (access: AccessContext, params: Params) => Promise<boolean>;
}

const GET = ['GET', 'HEAD'];

/** The caller's own directory user (their mailbox, their PIN). */
const ownUser = async (a: AccessContext, p: Params) => (await a.linkedUser())?.id === p.id;
/** A group they are in. */
const ownGroup = async (a: AccessContext, p: Params) => {
  const user = await a.linkedUser();
  if (!user) return false;
  try {
    return (await a.deps.directory.getGroup(p.id)).members.includes(user.id);
  } catch (err) {
    if (err instanceof NotFoundError) return false;
    throw err;
  }
};

/**
 * A message in their own mailbox or one of their groups' (the same rule as reading that mailbox): the
 * message is looked up to learn which mailbox holds it. One that does not exist is the route's own 404
 * (`what` names it as the route does), never a 403, which would say it exists in someone else's mailbox.
 */
const ownMessage =
  (param: 'id' | 'sid', what: 'message' | 'recording') =>
  async (a: AccessContext, p: Params): Promise<boolean> => {
    const id = p[param];
    const message = await a.deps.messages.get(id);
    // The recordings route plays voicemails only: anything else is its 404, whoever asks.
    if (!message || (what === 'recording' && message.kind !== 'voicemail')) throw new NotFoundError(`${what} ${id}`);
    const [kind, boxId] = message.mailbox.split('#');
    if (kind === 'user') return ownUser(a, { id: boxId });
    if (kind === 'group') return ownGroup(a, { id: boxId });
    return false;
  };

/**
 * DESIGN.md section 16's table, route by route: every route of the admin router (routes.ts and the tables
 * it includes) has its row here, which test/unit/access-table.test.ts checks against the router itself.
 */
export const ACCESS: readonly Rule[] = [
  // The caller's own account and directory user: who they are, availability and phone.
  { methods: [...GET, 'PUT'], path: 'me', allow: 'signed-in', what: 'your own account' },
  // Own and own groups' mailboxes; others' and unrouted for editors and admins.
  { methods: GET, path: 'mailboxes/user/:id/messages', allow: 'editor', what: "another person's mailbox", own: ownUser },
  { methods: GET, path: 'mailboxes/group/:id/messages', allow: 'editor', what: 'the mailbox of a group you are not in', own: ownGroup },
  { methods: GET, path: 'mailboxes/unrouted/messages', allow: 'editor', what: 'the unrouted mailbox' },
  // One message (by its Sid): the same rule as its mailbox's.
  { methods: GET, path: 'recordings/:sid', allow: 'editor', what: "a voicemail in another person's mailbox", own: ownMessage('sid', 'recording') },
  { methods: ['PUT'], path: 'messages/:id/read', allow: 'editor', what: "a message in another person's mailbox", own: ownMessage('id', 'message') },
  { methods: ['POST'], path: 'messages/:id/reply', allow: 'editor', what: "a message in another person's mailbox", own: ownMessage('id', 'message') },
  { methods: ['DELETE'], path: 'messages/:id', allow: 'editor', what: "a message in another person's mailbox", own: ownMessage('id', 'message') },
  // Flows: everyone reads the published ones and their history; editors change them (a draft is
  // simulated, an editor's work).
  { methods: GET, path: 'flows', allow: 'member', what: 'reading flows' },
  { methods: GET, path: 'flows/:id', allow: 'member', what: 'reading flows' },
  { methods: GET, path: 'flows/:id/revisions', allow: 'member', what: 'reading flows' },
  { methods: GET, path: 'flows/:id/revisions/:revision', allow: 'member', what: 'reading flows' },
  { methods: GET, path: 'flows/:id/numbers', allow: 'member', what: 'reading flows' },
  { methods: ['POST'], path: 'flows', allow: 'editor', what: 'publishing a flow' },
  { methods: ['PUT', 'DELETE'], path: 'flows/:id', allow: 'editor', what: 'publishing or deleting a flow' },
  { methods: ['POST'], path: 'flows/check', allow: 'editor', what: 'checking a flow' },
  { methods: ['POST'], path: 'flows/import', allow: 'editor', what: 'importing a flow' },
  { methods: ['POST'], path: 'flows/:id/simulate', allow: 'editor', what: 'simulating a flow' },
  // A draft is unpublished editing: a member neither reads nor writes one.
  { methods: [...GET, 'PUT', 'DELETE'], path: 'flows/:id/draft', allow: 'editor', what: "a flow's unpublished draft" },
  { methods: ['POST'], path: 'flows/:id/revisions/:revision/restore', allow: 'editor', what: 'restoring a revision' },
  { methods: ['PUT'], path: 'flows/:id/numbers/:number', allow: 'editor', what: 'assigning a flow to a number' },
  // Numbers: everyone reads; editors assign flows; registering, renaming and removing is an admin's.
  { methods: GET, path: 'numbers', allow: 'member', what: 'reading numbers' },
  { methods: GET, path: 'numbers/:number', allow: 'member', what: 'reading numbers' },
  { methods: ['PUT', 'DELETE'], path: 'numbers/:number/flow', allow: 'editor', what: 'assigning a flow to a number' },
  { methods: ['PUT', 'DELETE'], path: 'numbers/:number', allow: 'admin', what: 'registering or removing a number' },
  // Schedules: everyone reads them (and sees an override); editors change them and set overrides.
  { methods: GET, path: 'schedules', allow: 'member', what: 'reading schedules' },
  { methods: GET, path: 'schedules/:id', allow: 'member', what: 'reading schedules' },
  { methods: ['POST'], path: 'schedules', allow: 'editor', what: 'changing schedules' },
  { methods: ['PUT', 'DELETE'], path: 'schedules/:id', allow: 'editor', what: 'changing schedules' },
  { methods: ['PUT', 'DELETE'], path: 'schedules/:id/override', allow: 'editor', what: "overriding a schedule's hours" },
  // People: everyone reads (a dial names them); admins change them. A PIN is set by an admin or its owner.
  { methods: GET, path: 'users', allow: 'member', what: 'reading users' },
  { methods: GET, path: 'users/:id', allow: 'member', what: 'reading users' },
  { methods: ['POST'], path: 'users', allow: 'admin', what: 'adding a user' },
  { methods: ['PUT', 'DELETE'], path: 'users/:id', allow: 'admin', what: 'changing or removing a user' },
  { methods: ['PUT', 'DELETE'], path: 'users/:id/pin', allow: 'admin', what: "another person's override PIN", own: ownUser },
  { methods: GET, path: 'groups', allow: 'member', what: 'reading groups' },
  { methods: GET, path: 'groups/:id', allow: 'member', what: 'reading groups' },
  { methods: ['POST'], path: 'groups', allow: 'admin', what: 'adding a group' },
  { methods: ['PUT', 'DELETE'], path: 'groups/:id', allow: 'admin', what: 'changing or removing a group' },
  { methods: ['POST'], path: 'invitations', allow: 'admin', what: 'inviting a person' },
  // The report, call queues: everyone reads. A call's trace shows callers' numbers and where the flow sent
  // them: flow debugging, an editor's.
  { methods: GET, path: 'report/unassigned', allow: 'member', what: 'reading the report' },
  { methods: GET, path: 'queues', allow: 'member', what: 'reading call queues' },
  { methods: GET, path: 'calls/:sid', allow: 'editor', what: "reading a call's trace" },
  // The carrier: an admin's, but for reading the account's Studio flows, which importing one needs.
  { methods: GET, path: 'carrier/studio-flows', allow: 'editor', what: "reading the account's Studio flows" },
  { methods: GET, path: 'carrier/studio-flows/:sid', allow: 'editor', what: "reading the account's Studio flows" },
  { methods: ['POST'], path: 'carrier/studio-flows/:sid/take-over', allow: 'admin', what: "taking over a Studio flow's numbers" },
  { methods: GET, path: 'carrier/messages', allow: 'admin', what: 'reading the texts sent' },
  { methods: GET, path: 'carrier/numbers', allow: 'admin', what: "reading the carrier account's numbers" },
  { methods: [...GET, 'POST'], path: 'carrier/sync', allow: 'admin', what: 'syncing the carrier account' },
  { methods: GET, path: 'carrier/sync/:jobId', allow: 'admin', what: 'syncing the carrier account' },
];

/**
 * What a path no rule names falls to: an admin's. A route added without its row is closed to members and
 * editors (and the table's test fails); an unknown path is the router's 404 for an admin.
 */
const UNLISTED: Rule = { methods: [], path: '', allow: 'admin', what: 'this' };

function matchPath(pattern: string, path: readonly string[]): Params | undefined {
  const parts = pattern.split('/');
  if (parts.length !== path.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i].startsWith(':')) params[parts[i].slice(1)] = path[i];
    else if (parts[i] !== path[i]) return undefined;
  }
  return params;
}

/**
 * The rule for a request: `path` is the decoded segments after `api`. Literal segments win over
 * parameters (`flows/check` is not `flows/:id`), as the router matches them.
 */
export function ruleFor(method: string, path: readonly string[]): { rule: Rule; params: Params; listed: boolean } {
  const found = ACCESS.flatMap((rule) => {
    if (!rule.methods.includes(method)) return [];
    const params = matchPath(rule.path, path);
    return params ? [{ rule, params, literal: rule.path.split('/').filter((s) => !s.startsWith(':')).length }] : [];
  }).sort((a, b) => b.literal - a.literal)[0];
  return found ? { rule: found.rule, params: found.params, listed: true } : { rule: UNLISTED, params: {}, listed: false };
}

/** The roles that may do what `rule` guards, lowest first. */
export const rolesAllowed = (rule: Pick<Rule, 'allow'>): Role[] => (rule.allow === 'signed-in' ? [...ROLES] : ROLES.filter((r) => RANK[r] >= RANK[rule.allow as Role]));

/** What a rule and a route may ask about the caller; the directory user is read once per request, when asked. */
export interface AccessContext {
  caller: Caller;
  deps: AdminDeps;
  /** The directory user whose email is the caller's (case-insensitive), if any. */
  linkedUser(): Promise<User | undefined>;
}

export function accessContext(caller: Caller, deps: AdminDeps): AccessContext {
  let user: Promise<User | undefined> | undefined;
  return {
    caller,
    deps,
    linkedUser: () => (user ??= caller.email ? findUserByEmail(deps, caller.email) : Promise.resolve(undefined)),
  };
}

/**
 * The directory user an account is linked to. Emails are unique among users that invitations create; of
 * users given the same email by hand, the first by id is the one.
 */
export async function findUserByEmail(deps: AdminDeps, email: string): Promise<User | undefined> {
  const wanted = email.trim().toLowerCase();
  return (await deps.directory.listUsers()).filter((u) => u.email?.toLowerCase() === wanted).sort((a, b) => a.id.localeCompare(b.id))[0];
}

/** Refuses (403) unless the caller may; `path` as for ruleFor. */
export async function authorize(access: AccessContext, method: string, path: readonly string[]): Promise<void> {
  const { rule, params } = ruleFor(method, path);
  const role = access.caller.role;
  if (rule.allow === 'signed-in') return;
  if (role && RANK[role] >= RANK[rule.allow]) return;
  if (role && rule.own && (await rule.own(access, params))) return;
  throw new ForbiddenError(rule.what === 'this' ? `${method} /api/${path.join('/')}` : rule.what, role, rolesAllowed(rule));
}

/** The API's path segments after `api` (or `cli/api`), decoded as the router decodes them. */
export function apiPath(rawPath: string): string[] | undefined {
  const segments = rawPath.split('/').filter(Boolean);
  const start = segments[0] === 'api' ? 1 : segments[0] === 'cli' && segments[1] === 'api' ? 2 : -1;
  if (start < 0) return undefined;
  return segments.slice(start).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
}

/** The event as the routes see it: who called, and the request's access context. */
export type AuthorizedEvent = AdminEvent & { access?: AccessContext };

/** The access context the `access` middleware put on the event (an open one when a test calls a route directly). */
export function accessOf(event: APIGatewayProxyEventV2, deps: AdminDeps): AccessContext {
  return (event as AuthorizedEvent).access ?? accessContext({ via: 'open', role: 'admin', name: 'local' }, deps);
}

/**
 * The middleware: 401 without a caller, 403 when the caller's role may not. `open`: local mode without
 * sign-in, where a request without an authorizer's word is an admin's.
 */
export function access(deps: AdminDeps, options: { open: boolean }): MiddlewareObj<AuthorizedEvent, Response, Error, Context> {
  return {
    name: 'access',
    before: async (request) => {
      const event = request.event;
      const context = accessContext(callerOf(event, options.open), deps);
      // One role per person (docs/decisions.md): a signed-in person linked to a directory user has that
      // user's role, the one a CLOSE text is judged by too; the token's groups (its mirror in Cognito) only
      // speak for an account no directory user has yet, such as the first admin, made by hand.
      if (context.caller.via === 'token') {
        const user = await context.linkedUser();
        if (user) context.caller.role = user.role ?? 'member';
      }
      event.access = context;
      const path = apiPath(event.rawPath);
      // Unknown prefixes are the router's 404; a caller is still required before it says so.
      if (path) await authorize(context, event.requestContext.http.method.toUpperCase(), path);
    },
  };
}
