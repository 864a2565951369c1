// The names the CDK stack shares with the handlers (alarms, dashboards, metric dimensions), in a module
// of constants only: lib/ imports this file, never logger.ts or metrics.ts, whose Powertools singletons
// would otherwise be built in the `cdk synth` process (and read its environment) at import.
export const SERVICE_NAME = 'switchboard';

/** The webhooks' metric names, stated once for the handlers, the CDK alarms and the dashboard. */
export const METRIC = {
  callsUnrouted: 'CallsUnrouted',
  textsUnrouted: 'TextsUnrouted',
  safeAnswers: 'SafeAnswers',
  appletRuns: 'AppletRuns',
  /** Every TwiML answer a webhook gave (routed or safe). */
  webhookAnswers: 'WebhookAnswers',
  /** 403 (signature) and 400 (malformed) refusals, by reason: a spike means a misconfigured URL or token, or an attack. */
  webhookRejections: 'WebhookRejections',
  /** A text whose MessageSid was handled before, answered with nothing. */
  replaysIgnored: 'ReplaysIgnored',
  /** Texts the carrier's REST API refused or did not take (text applet, voicemail notify...), by reason. */
  carrierSendFailures: 'CarrierSendFailures',
  /**
   * Outbound texts that did not reach their recipient (by `status`: failed, undelivered), counted once per
   * text when its record reaches that outcome: a refusal at the send, or Twilio's status callback. Opt-outs
   * are not counted (nothing went wrong). Alarmed (lib/outbound.ts).
   */
  textsNotDelivered: 'TextsNotDelivered',
  /** Carrier items DynamoDB could not take, put in the durable spill instead (by kind). */
  itemsSpilled: 'ItemsSpilled',
  /** Spilled items the drain wrote to DynamoDB (by kind; a replay of one already there counts too). */
  itemsReplayed: 'ItemsReplayed',
  /** Carrier items neither DynamoDB nor the spill took: lost (by kind). */
  itemsLost: 'ItemsLost',
  /** Spilled items the store refuses for good (too large, invalid), set aside by the local drain (by kind; `unreadable`: a line that is no item). */
  itemsRejected: 'ItemsRejected',
  /** Media or recording URLs a webhook dropped before any write (not the carrier's, too long, over 10), by reason. */
  mediaDropped: 'MediaDropped',
  /** Text bodies over the carrier's 1,600 characters, cut before any write. */
  bodiesTruncated: 'BodiesTruncated',
  /** Emails SES (or the local mail directory) did not take, by reason (voicemail_notify, transcript_notify). */
  emailSendFailures: 'EmailSendFailures',
  /** Texts that closed or opened a schedule (DESIGN.md section 15), by outcome: closed, open, cleared, wrong_pin, locked... */
  overridesByText: 'OverridesByText',
  /** Override texts with a wrong PIN: nothing changed (a run of them is someone guessing). */
  overridePinRejected: 'OverridePinRejected',
} as const;
