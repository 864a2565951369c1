// Named failures of the use cases; the HTTP layer maps each to one status and error code (lambdas/admin/http.ts).
import type { Problem } from './flows/problems';

export interface FieldIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: 'validation' | 'not_found' | 'conflict' | 'precondition_failed' | 'flow_invalid',
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
export class ConflictError extends DomainError {
  constructor(message: string, details?: unknown[]) {
    super('conflict', message, details);
  }
}
export class PreconditionFailedError extends DomainError {
  constructor(expected: number, current: number) {
    super('precondition_failed', `revision ${expected} is stale: the current revision is ${current}`, [{ expected, current }]);
  }
}
export class FlowInvalidError extends DomainError {
  constructor(readonly problems: Problem[]) {
    const errors = problems.filter((p) => p.severity === 'error');
    super('flow_invalid', `the flow has ${errors.length} error(s): ${errors.map((p) => p.message).join('; ')}`, problems);
  }
}
