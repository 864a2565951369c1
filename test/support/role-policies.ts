// What a function's role may do, read from a synthesized template: the policies attached to it
// (AWS::IAM::Policy and AWS::IAM::ManagedPolicy naming the role, the role's inline and template-managed
// policies), with every Ref, Fn::GetAtt, Fn::Join and Fn::Sub replaced by the physical value the test
// uses for that resource, so a recorded call's ARN can be compared with them (iam-evaluator.ts).
import { evaluate, type Decision, type Permission, type PolicyStatement } from './iam-evaluator';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties: any shape, read by path
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, any> }> };

/** Where the test's resources live: the pseudo parameters the template's ARNs are built from. */
export interface TestPlace {
  readonly region: string;
  readonly account: string;
}

/**
 * The physical values of the template's resources: `Ref` by logical id (what the test stood in: a
 * table's name, a queue's URL, a secret's or topic's ARN), and the attributes derived from it by type
 * (a table's `Arn` is `arn:aws:dynamodb:<region>:<account>:table/<name>`, a queue's from its URL).
 */
export function physicalValues(template: Template, refs: ReadonlyMap<string, string>, place: TestPlace): Map<string, string> {
  const values = new Map<string, string>();
  for (const [id, ref] of refs) {
    const type = template.Resources[id]?.Type;
    values.set(id, ref);
    if (type === 'AWS::DynamoDB::GlobalTable' || type === 'AWS::DynamoDB::Table') values.set(`${id}.Arn`, tableArn(ref, place));
    if (type === 'AWS::SQS::Queue') {
      values.set(`${id}.Arn`, queueArn(ref, place));
      values.set(`${id}.QueueName`, ref.split('/').pop()!);
    }
    if (type === 'AWS::SNS::Topic') values.set(`${id}.TopicArn`, ref);
  }
  return values;
}

export const tableArn = (name: string, { region, account }: TestPlace) => `arn:aws:dynamodb:${region}:${account}:table/${name}`;

/** `https://sqs.us-east-1.amazonaws.com/123456789012/name` → `arn:aws:sqs:us-east-1:123456789012:name`. */
export function queueArn(queueUrl: string, place: TestPlace): string {
  const url = new URL(queueUrl);
  const [account, name] = url.pathname.split('/').filter(Boolean);
  const region = /^sqs\.([a-z0-9-]+)\./.exec(url.hostname)?.[1] ?? place.region;
  return `arn:aws:sqs:${region}:${account ?? place.account}:${name}`;
}

/** A template value with its intrinsic functions resolved; what the test did not stand in becomes `<unresolved:Id.Attr>`, which no ARN matches. */
export function resolve(value: unknown, values: ReadonlyMap<string, string>, place: TestPlace): unknown {
  const lookup = (name: string): string => {
    const pseudo: Record<string, string> = { 'AWS::Region': place.region, 'AWS::AccountId': place.account, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com' };
    return pseudo[name] ?? values.get(name) ?? `<unresolved:${name}>`;
  };
  const again = (v: unknown) => resolve(v, values, place);
  if (Array.isArray(value)) return value.map(again);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [fn, arg] = entries[0] as [string, any]; // eslint-disable-line @typescript-eslint/no-explicit-any -- an intrinsic's argument: a string, a list or a map by function
    if (fn === 'Ref') return lookup(arg);
    if (fn === 'Fn::GetAtt') return lookup(Array.isArray(arg) ? arg.join('.') : arg);
    if (fn === 'Fn::Join') return (again(arg[1]) as unknown[]).join(arg[0]);
    if (fn === 'Fn::Sub') {
      const [text, vars] = Array.isArray(arg) ? [arg[0] as string, arg[1] as Record<string, unknown>] : [arg as string, {}];
      return text.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => (name in vars ? String(again(vars[name])) : lookup(name)));
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, again(v)]));
}

/** The logical id of the role a function runs as. */
export function roleOf(template: Template, functionId: string): string {
  const role = template.Resources[functionId]?.Properties?.Role;
  const roleId = role?.['Fn::GetAtt']?.[0] ?? role?.Ref;
  if (!roleId || template.Resources[roleId]?.Type !== 'AWS::IAM::Role') throw new Error(`${functionId}: no role of the template found in ${JSON.stringify(role)}`);
  return roleId;
}

export interface RolePolicies {
  readonly roleId: string;
  readonly statements: PolicyStatement[];
  /** Managed policies from outside the template (AWS-managed): not evaluated, so they grant nothing here. */
  readonly unreadable: string[];
}

/** Every identity-policy statement of the function's role, resolved. */
export function rolePolicies(template: Template, functionId: string, values: ReadonlyMap<string, string>, place: TestPlace): RolePolicies {
  const roleId = roleOf(template, functionId);
  const role = template.Resources[roleId].Properties ?? {};
  const documents: unknown[] = (role.Policies ?? []).map((p: { PolicyDocument: unknown }) => p.PolicyDocument);
  const unreadable: string[] = [];
  const namesRole = (roles: unknown) => Array.isArray(roles) && roles.some((r) => r?.Ref === roleId);
  for (const [id, resource] of Object.entries(template.Resources)) {
    const isPolicy = resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy';
    const attached = namesRole(resource.Properties?.Roles) || (role.ManagedPolicyArns ?? []).some((arn: { Ref?: string }) => arn?.Ref === id);
    if (isPolicy && attached) documents.push(resource.Properties!.PolicyDocument);
  }
  for (const arn of role.ManagedPolicyArns ?? []) if (!arn?.Ref) unreadable.push(JSON.stringify(resolve(arn, values, place)));
  const statements = documents.flatMap((doc) => (resolve(doc, values, place) as { Statement: PolicyStatement[] }).Statement);
  return { roleId, statements, unreadable };
}

export interface Refusal extends Permission {
  readonly decision: Exclude<Decision, 'allow'>;
}

/** The permissions of `needed` the role does not give, each with why. */
export function refusals(policies: RolePolicies, needed: readonly Permission[]): Refusal[] {
  const refused: Refusal[] = [];
  for (const permission of needed) {
    const decision = evaluate(policies.statements, permission);
    if (decision !== 'allow' && !refused.some((r) => r.action === permission.action && r.resource === permission.resource)) refused.push({ ...permission, decision });
  }
  return refused;
}

/** The failure message: the function, then each action and resource its role refuses. */
export function describeRefusals(functionName: string, refused: readonly Refusal[]): string {
  return `${functionName} made AWS calls its role does not allow:\n${refused.map((r) => `  ${r.action} on ${r.resource} (${r.decision})`).join('\n')}`;
}

/** A copy of the template where no policy attached to the role grants `action` (to prove a check fails without it). */
export function withoutAction(template: object, roleId: string, action: string): Template {
  const copy = structuredClone(template) as Template;
  for (const resource of Object.values(copy.Resources)) {
    const roles = resource.Properties?.Roles;
    if (resource.Type !== 'AWS::IAM::Policy' || !Array.isArray(roles) || !roles.some((r) => r?.Ref === roleId)) continue;
    for (const statement of resource.Properties!.PolicyDocument.Statement as { Action?: string | string[] }[]) {
      if (Array.isArray(statement.Action)) statement.Action = statement.Action.filter((a) => a !== action);
      else if (statement.Action === action) statement.Action = [];
    }
  }
  return copy;
}
