import { CfnResource, Stack, type CfnElement } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Keeps the logical id a resource had at an earlier construct path (relative to its stack, e.g.
 * `Report/AlertTopic/Resource`) after its construct moved. CloudFormation replaces a resource whose
 * logical id changes: for a secret that loses the stored Twilio credentials, for a key or topic their
 * ARNs, for an email subscription its confirmation. The id is computed by the CDK itself, on a scratch
 * tree with the former path, so it is exactly the one it allocated there.
 */
export function keepFormerLogicalId(element: CfnElement, formerPath: string): void {
  const scratch = new Stack();
  const parts = formerPath.split('/');
  let scope: Construct = scratch;
  for (const part of parts.slice(0, -1)) scope = new Construct(scope, part);
  const former = new CfnResource(scope, parts[parts.length - 1], { type: 'Switchboard::FormerPath' });
  element.overrideLogicalId(scratch.getLogicalId(former));
}
