// Who may call which admin route (DESIGN.md section 16), in one place: the caller is read from what the
// HTTP API's authorizers put on the event (or the local server, which does the same), then the first
// rule of ACCESS whose method and path match decides. A route no rule names is an admin's: a route added
// later is closed to members and editors until a rule here opens it.
//
// Callers:
//   - signed with AWS credentials (the IAM authorizer: requestContext.authorizer.iam): an admin. The
//     command-line tools call /cli/api/* this way (lib/admin-api.ts).
//   - a token checked by the JWT authorizer (requestContext.authorizer.jwt.claims): their role is the
//     highest of their Cognito groups (`cognito:groups`: admin > editor > member), their directory user
//     the one whose email is the token's `email`.
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

interface Rule {
  /** HTTP methods, or '*' for any. */
  methods: readonly string[] | '*';
  /** Path under /api/, by segment: `:name` is one segment, a final `**` any number of them (none included). */
  path: string;
  /** The lowest role that may; 'signed-in' lets any valid token through (the route checks the rest). */
  allow: Role | 'signed-in';
  /** Said in the 403: what the caller tried. */
  what: string;
  /** Below `allow`, the caller may still when this says the thing is theirs. */
  own?: (access: AccessContext, params: Params) => Promise<boolean>;
}

const READ = ['GET', 'HEAD'];
const ANY = '*';

/** The caller's own mailbox: their directory user's. */
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

/** DESIGN.md section 16's table, route by route; the first match decides. */
export const ACCESS: readonly Rule[] = [
  // The caller's own account and directory user: availability and phone (PUT /api/me).
  { methods: ANY, path: 'me', allow: 'signed-in', what: 'your own account' },
  // Own and own groups' mailboxes (read, mark, delete, reply); others' and unrouted for editors and admins.
  { methods: ANY, path: 'mailboxes/user/:id/**', allow: 'editor', what: "another person's mailbox", own: ownUser },
  { methods: ANY, path: 'mailboxes/group/:id/**', allow: 'editor', what: "the mailbox of a group you are not in", own: ownGroup },
  { methods: ANY, path: 'mailboxes/**', allow: 'editor', what: 'the unrouted mailbox' },
  // Drafts are unpublished edits: an editor's work, not for members to read.
  { methods: ANY, path: 'flows/:id/draft', allow: 'editor', what: 'a draft of a flow' },
  // Reads of flows, numbers, schedules, the report, users and groups.
  { methods: READ, path: 'flows/**', allow: 'member', what: 'reading flows' },
  { methods: READ, path: 'numbers/**', allow: 'member', what: 'reading numbers' },
  { methods: READ, path: 'schedules/**', allow: 'member', what: 'reading schedules' },
  { methods: READ, path: 'report/**', allow: 'member', what: 'reading the report' },
  { methods: READ, path: 'users/**', allow: 'member', what: 'reading users' },
  { methods: READ, path: 'groups/**', allow: 'member', what: 'reading groups' },
  // Routing work: publish, restore, delete, check, simulate, import, assign numbers, schedules and overrides.
  { methods: ANY, path: 'flows/**', allow: 'editor', what: 'changing flows (publish, restore, delete, check, simulate, import, assign numbers)' },
  { methods: ['PUT', 'DELETE'], path: 'numbers/:number/flow', allow: 'editor', what: 'assigning a flow to a number' },
  { methods: ANY, path: 'schedules/**', allow: 'editor', what: 'changing schedules and overrides' },
  // A call's trace shows the callers' numbers and where the flow sent them: flow debugging, not for members.
  { methods: READ, path: 'calls/**', allow: 'editor', what: "reading a call's trace" },
  // Everything else (users, groups, invitations, registering numbers, the carrier) is an admin's.
  { methods: ANY, path: '**', allow: 'admin', what: 'this' },
];

function matchPath(pattern: string, path: readonly string[]): Params | undefined {
  const parts = pattern.split('/');
  const params: Params = {};
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '**' && i === parts.length - 1) return params;
    if (i >= path.length) return undefined;
    if (parts[i].startsWith(':')) params[parts[i].slice(1)] = path[i];
    else if (parts[i] !== path[i]) return undefined;
  }
  return parts.length === path.length ? params : undefined;
}

/** The rule for a request: `path` is the decoded segments after `api`. */
export function ruleFor(method: string, path: readonly string[]): { rule: Rule; params: Params } {
  for (const rule of ACCESS) {
    if (rule.methods !== ANY && !rule.methods.includes(method)) continue;
    const params = matchPath(rule.path, path);
    if (params) return { rule, params };
  }
  throw new Error('the access table has no catch-all rule'); // the last rule matches every path
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
      event.access = context;
      const path = apiPath(event.rawPath);
      // Unknown prefixes are the router's 404; a caller is still required before it says so.
      if (path) await authorize(context, event.requestContext.http.method.toUpperCase(), path);
    },
  };
}
