import { Validations, type RemovalPolicy } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { routesOf } from '../lambdas/config/routes';
import type { BackgroundJobs } from './jobs';
import type { OutboundTexts } from './outbound';
import type { DurableSpill } from './spill';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables, type TableGrants } from './switchboard-function';

export interface TwilioWebhooksProps {
  readonly httpApi: HttpApi;
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  /** Where the webhooks put what DynamoDB cannot take (DESIGN.md section 11). */
  readonly spill: DurableSpill;
  /** Where the voice and sms webhooks put the texts they send (DESIGN.md section 17): they never call Twilio. */
  readonly outbound: OutboundTexts;
  /** The base URL Twilio calls (custom domain); without it the handlers rebuild it from the request. */
  readonly publicUrl?: string;
  readonly metricsNamespace: string;
  /**
   * Voice environments kept initialised (provisioned concurrency on a `live` alias, which the voice routes
   * then invoke): a caller never waits for a cold start while fewer calls than this are in progress. 0: none.
   */
  readonly warmVoice?: number;
  /** The Twilio secret (lib/twilio-secret.ts): the handlers check signatures with its auth token. */
  readonly twilioSecret: ISecret;
  /** Where the voice webhook hands off the emails of voicemails and has queue offers placed (lib/jobs.ts). */
  readonly jobs: BackgroundJobs;
  /** Where the dashboard is: emails link to the voicemail there. */
  readonly dashboardUrl: string;
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
  /** The Twilio secret the webhooks read their auth token from. */
  readonly authToken: ISecret;
  readonly routes: HttpRoute[];

  constructor(scope: Construct, id: string, props: TwilioWebhooksProps) {
    super(scope, id);
    this.authToken = props.twilioSecret;
    const environment: Record<string, string> = { [ENV.authTokenSecretArn]: this.authToken.secretArn };
    if (props.publicUrl) environment[ENV.publicUrl] = props.publicUrl;
    const webhook = (name: string, entry: string, description: string, grants: TableGrants) => {
      const fn = new SwitchboardFunction(this, name, {
        entry: handlerEntry(entry),
        description,
        removalPolicy: props.removalPolicy,
        metricsNamespace: props.metricsNamespace,
        environment,
      }).useTables(props.tables, grants);
      this.authToken.grantRead(fn);
      props.spill.grantPut(fn);
      props.outbound.grantQueue(fn);
      return fn;
    };
    // Each webhook reads its number (GetItem), the flow's head or a pinned revision (GetItem), the people
    // it rings or notifies and the schedules its hours name (BatchGetItem; a schedule's override with it,
    // from the state table, in the same request). Late routing (a text or voicemail whose flow could not be read,
    // routed by the flow as it stood at arrival: FlowStore.revisionAt) queries the flows table for the
    // revisions' keys and times. Neither queries an index, scans or deletes (docs/data-model.md).
    const reads = { numbers: { actions: ['GetItem'] }, flows: { actions: ['GetItem', 'Query'] }, directory: { actions: ['BatchGetItem'] } } as const;
    this.voice = webhook('Voice', 'voice-webhook', 'Switchboard Twilio voice webhook: incoming calls and their continuation steps', {
      ...reads,
      // Voicemails and transcripts: UpdateItem with if_not_exists, keyed by RecordingSid.
      messages: { actions: ['UpdateItem'] },
      // One PutItem per request.
      traces: { actions: ['PutItem'] },
      // Round-robin counters (UpdateItem), sticky members (GetItem, PutItem), unrouted events (conditional PutItem),
      // schedule overrides read with their schedules (BatchGetItem). Its texts are queued: the sender reads the opt-outs.
      // Who is on a call (UpdateItem, BatchGetItem); a call queue's callers joining (a transaction of a Put and an
      // Update) and leaving, offers answered and ended (UpdateItem), and whether anyone still waits when a
      // member picks up an offer (Query of the queue's partition).
      state: { actions: ['BatchGetItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem'] },
      outbound: 'none',
    });
    // Voicemail emails: handed to the job queue, composed and sent by its worker (never while the carrier waits).
    props.jobs.grantPut(this.voice);
    this.voice.addEnvironment(ENV.dashboardUrl, props.dashboardUrl);
    this.sms = webhook('Sms', 'sms-webhook', 'Switchboard Twilio messaging webhook: incoming texts', {
      ...reads,
      // A text that closes or opens a schedule (DESIGN.md section 15): its sender by phone (byPhone), the
      // schedules by name (byKind). It writes nothing in the directory: the override is in the state table.
      directory: { actions: ['BatchGetItem'], indexes: ['byPhone', 'byKind'] },
      // Texts: a conditional PutItem keyed by MessageSid.
      messages: { actions: ['PutItem'] },
      // A text's one trace item (conditional PutItem), or the unrouted one.
      traces: { actions: ['PutItem'] },
      // Unrouted events and opt-outs (conditional PutItem; STOP/START), opt-outs read before its answer texts
      // anyone (BatchGetItem): texts have no counters or sticky members. Schedule overrides: read with their
      // schedules (BatchGetItem), set by text (PutItem); wrong PINs counted (GetItem, UpdateItem).
      state: { actions: ['BatchGetItem', 'GetItem', 'PutItem', 'UpdateItem'] },
      // The delivery status callbacks (POST /twilio/message-status): a conditional UpdateItem of the text's record.
      outbound: { actions: ['UpdateItem'] },
    });
    this.fallback = new SwitchboardFunction(this, 'Fallback', {
      entry: handlerEntry('fallback-webhook'),
      description: 'Switchboard Twilio fallback URL: answers safely and spills, without DynamoDB',
      removalPolicy: props.removalPolicy,
      metricsNamespace: props.metricsNamespace,
      environment,
    });
    this.authToken.grantRead(this.fallback);
    props.spill.grantPut(this.fallback);

    const integrations = {
      voice: new HttpLambdaIntegration('VoiceIntegration', props.warmVoice ? this.voice.addAlias('live', { provisionedConcurrentExecutions: props.warmVoice }) : this.voice),
      sms: new HttpLambdaIntegration('SmsIntegration', this.sms),
      fallback: new HttpLambdaIntegration('FallbackIntegration', this.fallback),
    };
    this.routes = (['voice', 'sms', 'fallback'] as const).flatMap((fn) =>
      routesOf(fn).flatMap((route) => props.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration: integrations[fn] })),
    );
    for (const route of this.routes) {
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason: 'Twilio cannot sign requests with SigV4 or send tokens; every request is authenticated by its X-Twilio-Signature (HMAC with the account auth token), checked in the handler, and refused with 403 when bad',
      });
    }
  }
}
