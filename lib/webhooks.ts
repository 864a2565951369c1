import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DurableSpill } from './spill';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';

export interface TwilioWebhooksProps {
  readonly httpApi: HttpApi;
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  /** Where the webhooks put what DynamoDB cannot take (DESIGN.md section 11). */
  readonly spill: DurableSpill;
  /** The base URL Twilio calls (custom domain); without it the handlers rebuild it from the request. */
  readonly publicUrl?: string;
}

/**
 * The carrier webhooks under /twilio/. The routes have no API Gateway authorizer: every request is
 * authenticated by its X-Twilio-Signature, checked in the handlers with the auth token of `authToken`.
 */
export class TwilioWebhooks extends Construct {
  readonly voice: SwitchboardFunction;
  readonly sms: SwitchboardFunction;
  /** Twilio's fallback URL: no table at all, only the secret and the spill, so it works when they fail. */
  readonly fallback: SwitchboardFunction;
  /**
   * The Twilio account's auth token. The stack creates it with a random placeholder value: operators
   * overwrite it with the real token (`aws secretsmanager put-secret-value --secret-id <arn>
   * --secret-string <token>`, the plain token, not JSON); until then every webhook answers 403.
   */
  readonly authToken: Secret;
  readonly routes: HttpRoute[];

  constructor(scope: Construct, id: string, props: TwilioWebhooksProps) {
    super(scope, id);
    this.authToken = new Secret(this, 'TwilioAuthToken', {
      description: 'Twilio auth token used to check X-Twilio-Signature (placeholder until an operator sets the real token)',
      generateSecretString: { passwordLength: 32, excludePunctuation: true },
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.authToken).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'A Twilio auth token is issued by Twilio and can only be rotated in the Twilio console; operators put the new value here',
    });

    const environment: Record<string, string> = { TWILIO_AUTH_TOKEN_SECRET_ARN: this.authToken.secretArn };
    if (props.publicUrl) environment.PUBLIC_URL = props.publicUrl;
    const webhook = (name: string, entry: string, description: string) => {
      const fn = new SwitchboardFunction(this, name, {
        entry: handlerEntry(entry),
        description,
        removalPolicy: props.removalPolicy,
        environment,
      }).useTables(props.tables, {
        numbers: 'read',
        flows: 'read',
        directory: 'read',
        messages: 'readWrite',
        traces: 'readWrite',
        state: 'readWrite',
      });
      this.authToken.grantRead(fn);
      props.spill.grantPut(fn);
      return fn;
    };
    this.voice = webhook('Voice', 'voice-webhook', 'Switchboard Twilio voice webhook: incoming calls and their continuation steps');
    this.sms = webhook('Sms', 'sms-webhook', 'Switchboard Twilio messaging webhook: incoming texts');
    this.fallback = new SwitchboardFunction(this, 'Fallback', {
      entry: handlerEntry('fallback-webhook'),
      description: 'Switchboard Twilio fallback URL: answers safely and spills, without DynamoDB',
      removalPolicy: props.removalPolicy,
      environment,
    });
    this.authToken.grantRead(this.fallback);
    props.spill.grantPut(this.fallback);

    const voice = new HttpLambdaIntegration('VoiceIntegration', this.voice);
    const sms = new HttpLambdaIntegration('SmsIntegration', this.sms);
    const fallback = new HttpLambdaIntegration('FallbackIntegration', this.fallback);
    const post = (path: string, integration: HttpLambdaIntegration) =>
      props.httpApi.addRoutes({ path, methods: [HttpMethod.POST], integration });
    this.routes = [
      ...post('/twilio/voice', voice),
      // Twilio's fallback URL for both voice and messaging: its own function tells them apart by MessageSid.
      ...post('/twilio/fallback', fallback),
      // Continuation steps: the project writes these URLs into its own TwiML (gather, dial, record...).
      ...post('/twilio/voice/{proxy+}', voice),
      ...post('/twilio/sms', sms),
    ];
    for (const route of this.routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Twilio cannot sign requests with SigV4 or send tokens; every request is authenticated by its X-Twilio-Signature (HMAC with the account auth token), checked in the handler, and refused with 403 when bad',
      });
    }
  }
}
