import { evaluate, statementCovers, wildcardMatch, type PolicyStatement } from '../support/iam-evaluator';

const TABLE = 'arn:aws:dynamodb:us-east-1:123456789012:table/state';
const allow = (Action: string | string[], Resource: string | string[]): PolicyStatement => ({ Effect: 'Allow', Action, Resource });

describe('wildcards', () => {
  test('* matches any run of characters, ? exactly one, the rest literally', () => {
    expect(wildcardMatch('dynamodb:Get*', 'dynamodb:GetItem')).toBe(true);
    expect(wildcardMatch('dynamodb:Get*', 'dynamodb:Get')).toBe(true);
    expect(wildcardMatch('dynamodb:?etItem', 'dynamodb:GetItem')).toBe(true);
    expect(wildcardMatch('dynamodb:?etItem', 'dynamodb:etItem')).toBe(false);
    expect(wildcardMatch('arn:aws:sqs:*:123456789012:q.1', 'arn:aws:sqs:us-east-1:123456789012:qx1')).toBe(false);
    expect(wildcardMatch('*', 'anything at all')).toBe(true);
  });
});

describe('one statement', () => {
  test('actions match whatever their case, resources only in theirs', () => {
    expect(statementCovers(allow('DynamoDB:updateitem', TABLE), { action: 'dynamodb:UpdateItem', resource: TABLE })).toBe(true);
    expect(statementCovers(allow('dynamodb:UpdateItem', TABLE.toUpperCase()), { action: 'dynamodb:UpdateItem', resource: TABLE })).toBe(false);
  });

  test('a table grant does not cover its indexes; `<table>/index/*` does', () => {
    const query = { action: 'dynamodb:Query', resource: `${TABLE}/index/byNumber` };
    expect(statementCovers(allow('dynamodb:Query', TABLE), query)).toBe(false);
    expect(statementCovers(allow('dynamodb:Query', [TABLE, `${TABLE}/index/*`]), query)).toBe(true);
  });

  test('NotAction and NotResource cover everything but what they name', () => {
    expect(statementCovers({ Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: '*' }, { action: 'dynamodb:PutItem', resource: TABLE })).toBe(true);
    expect(statementCovers({ Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: '*' }, { action: 'dynamodb:DeleteItem', resource: TABLE })).toBe(false);
    expect(statementCovers({ Effect: 'Allow', Action: '*', NotResource: TABLE }, { action: 'dynamodb:PutItem', resource: TABLE })).toBe(false);
  });

  test('a statement without Action (or Resource) covers nothing', () => {
    expect(statementCovers({ Effect: 'Allow', Resource: '*' }, { action: 'sqs:SendMessage', resource: TABLE })).toBe(false);
  });
});

describe('a policy', () => {
  const permission = { action: 'dynamodb:UpdateItem', resource: TABLE };

  test('allows what an Allow covers, and implicitly denies the rest', () => {
    expect(evaluate([allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], TABLE)], permission)).toBe('allow');
    expect(evaluate([allow('dynamodb:GetItem', TABLE)], permission)).toBe('implicit-deny');
    expect(evaluate([], permission)).toBe('implicit-deny');
  });

  test('an explicit Deny wins over any Allow', () => {
    expect(evaluate([allow('*', '*'), { Effect: 'Deny', Action: 'dynamodb:Update*', Resource: '*' }], permission)).toBe('explicit-deny');
  });

  test('a conditional Allow allows nothing, a conditional Deny always applies (conditions are not evaluated)', () => {
    expect(evaluate([{ ...allow('*', '*'), Condition: { Bool: { 'aws:SecureTransport': 'true' } } }], permission)).toBe('implicit-deny');
    expect(evaluate([allow('*', '*'), { Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }], permission)).toBe('explicit-deny');
  });
});
