// A small IAM evaluator for the artifact tests (DESIGN.md sections 8 and 10): may a role's identity
// policies make this call? Explicit Deny wins, then any Allow, else the implicit deny, as IAM decides
// within one account. Actions match case-insensitively, resources case-sensitively, both with `*` and
// `?` wildcards. A statement with a Condition is taken at its most refusing (an Allow with a condition
// allows nothing here, a Deny with one always applies): the stack's grants carry none, and a check that
// cannot be evaluated must not pass.

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: unknown;
}

/** One permission a call needs: `dynamodb:UpdateItem` on a table's ARN. */
export interface Permission {
  readonly action: string;
  readonly resource: string;
}

export type Decision = 'allow' | 'explicit-deny' | 'implicit-deny';

const list = (value: string | readonly string[] | undefined): readonly string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : value);

/** `*` matches any run of characters (none included), `?` exactly one; nothing else is special. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

const anyMatch = (patterns: readonly string[], value: string, ignoreCase: boolean) => patterns.some((p) => wildcardMatch(p, value, ignoreCase));

/** Whether the statement's action and resource elements cover the permission (its Effect aside). */
export function statementCovers(statement: PolicyStatement, { action, resource }: Permission): boolean {
  const actionMatches = statement.NotAction !== undefined ? !anyMatch(list(statement.NotAction), action, true) : anyMatch(list(statement.Action), action, true);
  const resourceMatches =
    statement.NotResource !== undefined ? !anyMatch(list(statement.NotResource), resource, false) : anyMatch(list(statement.Resource), resource, false);
  return actionMatches && resourceMatches;
}

export function evaluate(statements: readonly PolicyStatement[], permission: Permission): Decision {
  const applying = statements.filter((s) => statementCovers(s, permission));
  if (applying.some((s) => s.Effect === 'Deny')) return 'explicit-deny';
  if (applying.some((s) => s.Effect === 'Allow' && s.Condition === undefined)) return 'allow';
  return 'implicit-deny';
}
