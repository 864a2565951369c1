import { Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readSwitchboardConfig } from './config';
import { SwitchboardStack } from './switchboard-stack';

/**
 * Adds the Switchboard stack of the stage named in context to `app`, with the cdk-nag AwsSolutions
 * checks: bin/app.ts and the infra tests build the app the same way.
 */
export function addSwitchboard(app: App): SwitchboardStack {
  const config = readSwitchboardConfig(app.node);
  const stack = new SwitchboardStack(app, `Switchboard-${config.stage}`, {
    config,
    description: `Switchboard call and text routing (${config.stage})`,
  });
  // cdk-nag 3 is a policy-validation plugin: an unacknowledged finding fails the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
