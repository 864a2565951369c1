import { Validations, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { PLACEHOLDER_ACCOUNT_SID } from '../lambdas/carrier/carrier-env';
import { keepFormerLogicalId } from './former-logical-id';

export interface TwilioSecretProps {
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The Twilio account's credentials, one secret: `{ "accountSid": "AC...", "authToken": "..." }`. The
 * stack creates it with a placeholder SID and a random token: operators overwrite it with the real pair
 * (docs/operations.md); until then every webhook answers 403 and the carrier link answers 503. Created
 * first in the stack and handed to its readers: the webhooks use the token (signatures, texts), the
 * admin API and the report the pair (REST API, lib/carrier-link.ts).
 */
export class TwilioSecret extends Construct {
  readonly secret: Secret;

  constructor(scope: Construct, id: string, props: TwilioSecretProps) {
    super(scope, id);
    this.secret = new Secret(this, 'Secret', {
      description: 'Twilio account SID and auth token, {"accountSid":"AC...","authToken":"..."}: signatures and the REST API (placeholder until an operator sets the real pair)',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ accountSid: PLACEHOLDER_ACCOUNT_SID }),
        generateStringKey: 'authToken',
        passwordLength: 32,
        excludePunctuation: true,
      },
      removalPolicy: props.removalPolicy,
    });
    // Created under the webhooks (Webhooks/TwilioAuthToken) before it had a construct of its own: a new
    // logical id would replace the secret and lose the credentials an operator stored (docs/decisions.md).
    keepFormerLogicalId(this.secret.node.defaultChild as CfnElement, 'Webhooks/TwilioAuthToken/Resource');
    Validations.of(this.secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A Twilio auth token is issued by Twilio and can only be rotated in the Twilio console; operators put the new value here',
    });
  }
}
