// The environment variables the CDK sets and the handlers read, named once for both (lib/ imports
// this file; so do lambdas/ and local/). Table names have their own list in store/tables.ts.
export const ENV = {
  /** Secrets Manager ARN of the one Twilio secret, `{ "accountSid": "AC...", "authToken": "..." }` (AWS). */
  authTokenSecretArn: 'TWILIO_AUTH_TOKEN_SECRET_ARN',
  /** The Twilio auth token itself (local mode and tests). */
  authToken: 'TWILIO_AUTH_TOKEN',
  /** The Twilio account SID beside the token (local mode and tests): the REST API needs both. */
  accountSid: 'TWILIO_ACCOUNT_SID',
  /** Any Twilio-compatible REST server (local mode, tests); https://api.twilio.com when unset. */
  apiUrl: 'TWILIO_API_URL',
  /**
   * The base URL Twilio calls, before `/twilio/...`: signatures are checked against it (webhooks), and
   * the numbers' Voice and Messaging URLs must point under it (carrier link: admin API, report).
   */
  publicUrl: 'PUBLIC_URL',
  /** Local mode only: lets the carrier simulator's clock header through. Never set in AWS. */
  local: 'SWITCHBOARD_LOCAL',
  /**
   * Local mode only: `open` when the local stack runs without sign-in (`npm start` without --auth), so
   * the admin API takes a request no authorizer vouched for as an admin's. Never set in AWS.
   */
  adminAccess: 'SWITCHBOARD_ADMIN_ACCESS',
  /** The Cognito user pool of the accounts (AWS): invitations create users in it (lib/accounts.ts sets it on the admin function). */
  userPoolId: 'USER_POOL_ID',
  /** CloudWatch namespace of every metric the functions put. */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** The durable spill's SQS queue (AWS; lib/spill.ts sets it on the functions that may write to it). */
  spillQueueUrl: 'SPILL_QUEUE_URL',
  /** The durable spill's spool directory (local mode; local/stack.ts sets it). */
  spillSpoolDir: 'SPILL_SPOOL_DIR',
  /** The carrier sync's SQS queue (AWS): each message runs one step of a sync job in the admin function. Unset locally: steps run in-process. */
  carrierSyncQueueUrl: 'CARRIER_SYNC_QUEUE_URL',
  /** The outbound texts' SQS queue (AWS; lib/outbound.ts sets it on the functions that queue texts). */
  outboxQueueUrl: 'OUTBOX_QUEUE_URL',
  /** The outbound texts' spool directory (local mode; local/stack.ts sets it). */
  outboxSpoolDir: 'OUTBOX_SPOOL_DIR',
  /** The report's SNS topic. */
  alertTopicArn: 'ALERT_TOPIC_ARN',
  /** The job queue's SQS FIFO queue (AWS): emails of voicemails, handed off by the webhooks (lib/jobs.ts). */
  jobQueueUrl: 'JOB_QUEUE_URL',
  /** The job queue's directory (local mode; local/stack.ts sets it and drains it). */
  jobDir: 'JOB_DIR',
  /** The verified SES identity emails come from (an address, or a domain: then switchboard@<domain>). */
  emailFrom: 'EMAIL_FROM',
  /** Where the dashboard is: the links in emails point into it. */
  dashboardUrl: 'DASHBOARD_URL',
} as const;
