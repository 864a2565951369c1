import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { AdminApi } from './admin-api';
import { AlertTopic } from './alerts';
import type { SwitchboardConfig } from './config';
import { SwitchboardData } from './data';
import { ADMIN_THROTTLE, CARRIER_THROTTLE, SwitchboardHttpApi } from './http-api';
import { WebhookMonitoring } from './monitoring';
import { UnassignedReport } from './report';
import { OutboundTexts } from './outbound';
import { DurableSpill } from './spill';
import { BackgroundJobs } from './jobs';
import { TwilioSecret } from './twilio-secret';
import { ENV } from '../lambdas/config/env';
import { TwilioWebhooks } from './webhooks';
import { useCarrierLink } from './carrier-link';
import { SwitchboardAccounts } from './accounts';
import { DashboardHosting } from './dashboard-hosting';

export interface SwitchboardStackProps extends StackProps {
  readonly config: SwitchboardConfig;
}

/**
 * Everything one stage needs. The stateful resources (tables, the alert topic and its key, the Twilio
 * secret) are built first and handed to the stateless parts (functions, API, schedule, alarms) as typed
 * props; nothing else creates data.
 */
export class SwitchboardStack extends Stack {
  readonly data: SwitchboardData;
  readonly alerts: AlertTopic;
  readonly twilioSecret: TwilioSecret;
  readonly http: SwitchboardHttpApi;
  readonly hosting: DashboardHosting;
  readonly accounts: SwitchboardAccounts;
  readonly admin: AdminApi;
  readonly spill: DurableSpill;
  readonly jobs: BackgroundJobs;
  readonly outbound: OutboundTexts;
  readonly webhooks: TwilioWebhooks;
  readonly report: UnassignedReport;
  readonly monitoring: WebhookMonitoring;

  constructor(scope: Construct, id: string, props: SwitchboardStackProps) {
    super(scope, id, props);
    const { config } = props;
    const { removalPolicy } = config;

    this.data = new SwitchboardData(this, 'Data', { production: config.production, removalPolicy });
    const tables = this.data.tables;
    this.alerts = new AlertTopic(this, 'Alerts', { removalPolicy, alertEmail: config.alertEmail });
    const alertTopic = this.alerts.topic;
    this.twilioSecret = new TwilioSecret(this, 'TwilioSecret', { removalPolicy });
    const twilioSecret = this.twilioSecret.secret;

    const metricsNamespace = `Switchboard/${config.stage}`;
    this.http = new SwitchboardHttpApi(this, 'Http', { stage: config.stage, removalPolicy });
    // The dashboard's origin first (its URL is where sign-in comes back to), then the accounts, then the
    // admin API whose browser routes take their tokens.
    this.hosting = new DashboardHosting(this, 'Dashboard', { removalPolicy, httpApi: this.http.api, domain: config.dashboardDomain });
    this.accounts = new SwitchboardAccounts(this, 'Accounts', { stage: config.stage, removalPolicy, dashboardUrl: this.hosting.url });
    // The page reads Cognito's discovery document and keys, and trades its code at the managed login's token endpoint.
    this.hosting.allowConnect(`https://cognito-idp.${this.region}.amazonaws.com`, this.accounts.loginUrl);
    this.hosting.deploy({
      auth: {
        authority: this.accounts.issuer,
        clientId: this.accounts.client.userPoolClientId,
        scope: 'openid email profile',
        // Not encoded: the URL is a deploy-time token ("https://...", whose : and / a query may carry as they are).
        signOutUrl: `${this.accounts.loginUrl}/logout?client_id=${this.accounts.client.userPoolClientId}&logout_uri=${this.hosting.url}/`,
      },
    });
    this.admin = new AdminApi(this, 'Admin', { httpApi: this.http.api, jwtAuthorizer: this.accounts.authorizer, tables, removalPolicy, metricsNamespace });
    this.accounts.allowInvitations(this.admin.function);
    this.spill = new DurableSpill(this, 'Spill', { tables, removalPolicy, metricsNamespace, alarmTopic: alertTopic });
    // The admin API (carrier numbers, sync), the report (not_connected) and the outbound sender (status
    // callbacks) use the Twilio REST API and must know where Twilio calls us: the custom domain, else this
    // HTTP API's own URL.
    const carrier = { secret: twilioSecret, publicUrl: config.publicUrl ?? this.http.url };
    this.outbound = new OutboundTexts(this, 'Outbound', { tables, removalPolicy, metricsNamespace, carrier, alarmTopic: alertTopic });
    // Voicemail emails link to the message on the dashboard: this stack's hosted one unless told otherwise.
    const dashboardUrl = config.dashboardUrl ?? this.hosting.url;
    this.jobs = new BackgroundJobs(this, 'Jobs', { tables, removalPolicy, metricsNamespace, alarmTopic: alertTopic, emailFrom: config.emailFrom });
    this.webhooks = new TwilioWebhooks(this, 'Webhooks', {
      httpApi: this.http.api,
      tables,
      removalPolicy,
      spill: this.spill,
      jobs: this.jobs,
      dashboardUrl,
      outbound: this.outbound,
      publicUrl: config.publicUrl,
      metricsNamespace,
      warmVoice: config.warmVoice,
      twilioSecret,
    });
    this.report = new UnassignedReport(this, 'Report', {
      tables,
      removalPolicy,
      metricsNamespace,
      schedule: config.reportSchedule,
      alertTopic,
    });

    useCarrierLink(this.admin.function, carrier);
    useCarrierLink(this.report.function, carrier);
    // The drain routes texts and voicemails kept while their flow could not be read, and queues the
    // notifications, replies and forwards the flow gives them (lambdas/spill/late-route.ts) for the sender.
    this.outbound.grantQueue(this.spill.drain);
    // The admin API queues a reply by text to a mailbox's message (POST /api/messages/{id}/reply) for the sender.
    this.outbound.grantQueue(this.admin.function);
    // The job worker places queues' offers: their TwiML and status callbacks are this deployment's webhooks.
    useCarrierLink(this.jobs.worker, carrier);
    // ...and the drain hands it the emails of a late voicemail, linking to the dashboard.
    this.jobs.grantPut(this.spill.drain);
    this.spill.drain.addEnvironment(ENV.dashboardUrl, dashboardUrl);

    // The carrier's routes and the admin API's are throttled apart: a burst of admin requests cannot
    // throttle Twilio into the fallback URL.
    this.http.throttleRoutes(this.webhooks.routes, CARRIER_THROTTLE);
    this.http.throttleRoutes(this.admin.routes, ADMIN_THROTTLE);

    this.monitoring = new WebhookMonitoring(this, 'Monitoring', {
      topic: alertTopic,
      httpApi: this.http.api,
      webhooks: { Voice: this.webhooks.voice, Sms: this.webhooks.sms, Fallback: this.webhooks.fallback },
      metricsNamespace,
      dashboardName: `switchboard-${config.stage}-webhooks`,
    });

    // Twilio must call the public URL the handlers check signatures against, so the webhook URLs
    // printed for the console use it when it is set.
    const webhookBase = config.publicUrl ? `${config.publicUrl}/` : this.http.url;
    new CfnOutput(this, 'DashboardUrl', { value: `${this.hosting.url}/`, description: 'The hosted dashboard: sign in with an account an admin invited' });
    new CfnOutput(this, 'UserPoolId', { value: this.accounts.userPool.userPoolId, description: 'Cognito user pool of the accounts (the first admin: aws cognito-idp admin-create-user, then admin-add-user-to-group --group-name admin)' });
    new CfnOutput(this, 'ApiUrl', { value: this.http.url, description: 'HTTP API base URL: /api/* with a Cognito token (the dashboard), /cli/api/* signed with AWS credentials (npm run carrier/dashboard -- --api)' });
    new CfnOutput(this, 'VoiceWebhookUrl', { value: `${webhookBase}twilio/voice`, description: "Twilio number's Voice URL (HTTP POST)" });
    new CfnOutput(this, 'SmsWebhookUrl', { value: `${webhookBase}twilio/sms`, description: "Twilio number's Messaging URL (HTTP POST)" });
    new CfnOutput(this, 'FallbackWebhookUrl', { value: `${webhookBase}twilio/fallback`, description: 'Twilio Voice and Messaging fallback URL (HTTP POST)' });
    new CfnOutput(this, 'TwilioAuthTokenSecretArn', {
      value: twilioSecret.secretArn,
      description: 'Put the Twilio credentials here: aws secretsmanager put-secret-value --secret-id <arn> --secret-string \'{"accountSid":"AC...","authToken":"..."}\'',
    });
    new CfnOutput(this, 'AlertTopicArn', { value: alertTopic.topicArn, description: 'Unassigned-number report and alarms' });
  }
}
