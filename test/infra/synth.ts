// Builds the app exactly as bin/app.ts does (same context keys, same cdk-nag plugin), for assertions.
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { addSwitchboard } from '../../lib/switchboard-app';
import type { SwitchboardStack } from '../../lib/switchboard-stack';

export interface Synthesized {
  app: App;
  stack: SwitchboardStack;
  template: Template;
}

export interface SynthOptions {
  /** Run esbuild for real; otherwise NodejsFunction gets a placeholder asset, which is ~10x faster. */
  bundle?: boolean;
  outdir?: string;
}

export function synthSwitchboard(context: Record<string, string> = {}, options: SynthOptions = {}): Synthesized {
  const app = new App({
    outdir: options.outdir,
    context: { ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }), ...context },
  });
  const stack = addSwitchboard(app);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id of a construct's CloudFormation resource (overridden ones too), to point assertions at one resource. */
export function logicalId(construct: IConstruct): string {
  const resource = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).resolve(resource.logicalId);
}

/** Properties of the resource with this logical id. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- CloudFormation properties are free-form JSON that tests read by path
export function propertiesOf(template: Template, id: string): Record<string, any> {
  const resource = template.toJSON().Resources[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource.Properties ?? {};
}

export type PolicyStatement = { Action: string | string[]; Resource: unknown; Effect: string };

/** Every statement of the policies attached to the function's role. */
export function statementsOf(s: Synthesized, fn: IFunction): PolicyStatement[] {
  const policies = s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: logicalId(fn.role!) }] } });
  return Object.values(policies).flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatement[]);
}

/** The actions the function may perform on the resource with this logical id (a queue, a topic...). */
export function actionsOn(s: Synthesized, fn: IFunction, resourceId: string): string[] {
  return statementsOf(s, fn)
    .filter((st) => st.Effect === 'Allow' && JSON.stringify(st.Resource).includes(`"${resourceId}"`))
    .flatMap((st) => [st.Action].flat());
}
