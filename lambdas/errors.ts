// Named failures of the use cases; the HTTP layer maps each to one status and error code, in one place
// (the adminErrors middleware, lambdas/admin/middleware.ts).
import type { Problem } from './flows/problems';

export interface FieldIssue {
  path: string;
  message: string;
}

export type DomainErrorCode =
  | 'validation'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'conflict'
  | 'precondition_failed'
  | 'flow_invalid'
  | 'carrier_not_configured'
  | 'carrier_error';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details?: unknown[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(readonly issues: FieldIssue[]) {
    super('validation', `invalid request: ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`, issues);
  }
}
export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('not_found', `${what} not found`);
  }
}
/**
 * No valid credentials: no token, or one that is expired, from another issuer or audience, or badly signed
 * (DESIGN.md section 16). In AWS the HTTP API's authorizers answer this before the function runs.
 */
export class UnauthorizedError extends DomainError {
  constructor(why: string) {
    super('unauthorized', `sign in first: ${why}`);
  }
}

/** Signed in, but the caller's role may not do this: the details name the roles that may. */
export class ForbiddenError extends DomainError {
  constructor(what: string, role: string | undefined, allowed: readonly string[]) {
    super(
      'forbidden',
      `${what} needs the ${allowed.join(' or ')} role; ${role ? `you are ${role === 'admin' ? 'an' : 'a'} ${role}` : 'your account has no role yet (an admin gives it one)'}`,
      [{ role: role ?? null, allowed }],
    );
  }
}

/** The path names something, but not with this method. */
export class MethodNotAllowedError extends DomainError {
  constructor(method: string, path: string) {
    super('method_not_allowed', `${method} is not allowed on ${path}`);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown[]) {
    super('conflict', message, details);
  }
}
export class PreconditionFailedError extends DomainError {
  /** `what`: a flow's `revision`, a schedule's `version` (both are what `If-Match` names). */
  constructor(expected: number, current: number, what = 'revision') {
    super('precondition_failed', `${what} ${expected} is stale: the current ${what} is ${current}`, [{ expected, current }]);
  }
}
export class FlowInvalidError extends DomainError {
  constructor(readonly problems: Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super('flow_invalid', `the flow has ${errors.length} error(s): ${errors.map((p) => p.message).join('; ')}`, problems);
  }
}

/** The carrier link cannot be used yet: credentials or settings are missing (the message says what to set). */
export class CarrierNotConfiguredError extends DomainError {
  constructor(why: string) {
    super('carrier_not_configured', `the carrier link is not configured: ${why}`);
  }
}

/**
 * The carrier (Twilio's REST API) refused a request, or did not answer (`status` 0). `carrierCode` is the
 * carrier's own error number (Twilio's 20003...); details carry both, so an operator can look them up.
 */
export class CarrierError extends DomainError {
  constructor(
    message: string,
    readonly status: number,
    readonly carrierCode?: number,
    readonly moreInfo?: string,
    /** True when the request may have reached the carrier (a timeout): a send might have gone out after all. */
    readonly maybeDelivered = false,
  ) {
    super('carrier_error', message, [{ status, ...(carrierCode !== undefined && { code: carrierCode }), ...(moreInfo && { moreInfo }) }]);
  }
}
