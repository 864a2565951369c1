// What the webhooks depend on, and how a Lambda builds it from its environment once per cold start.
import { ENV } from '../config/env';
import type { EnginePorts } from '../flows/engine';
import type { Spill } from '../spill/spill';
import { spillFromEnv } from '../spill/spill-from-env';
import type { DirectoryStore } from '../store/directory-store';
import type { RequestBudget } from '../config/request-budget';
import { ANSWER_DEADLINE_MS } from '../runtime/deadline';
import { createDynamoDb } from '../store/dynamo-client';
import type { FlowStore } from '../store/flow-store';
import type { MessageStore } from '../store/message-store';
import type { NumberStore } from '../store/number-store';
import type { OptOutStore, PinFailureStore, PresenceStore, StateStore } from '../store/state-store';
import type { ScheduleStore } from '../store/schedule-store';
import type { OutboundStore } from '../store/outbound-store';
import { routingStores } from '../store/stores';
import { TABLE_KEYS, TABLES, tableNamesFromEnv } from '../store/tables';
import { DynamoOutboundStore } from '../store/outbound-store';
import type { TraceStore } from '../store/trace-store';
import { twilioAuthToken } from '../twilio/auth-token';
import type { TextSender } from '../carrier/text-sender';
import { OutboxTextSender } from '../carrier/queued-text';
import { outboxFromEnv } from '../outbox/outbox-from-env';
import { sqsClient } from '../spill/sqs-spill';
import type { QueueStore } from '../store/queue-store';
import type { JobQueue } from '../jobs/job-queue';
import { jobQueueFromEnv } from '../jobs/job-queue-from-env';

export interface WebhookDeps {
  numbers: Pick<NumberStore, 'find'>;
  flows: Pick<FlowStore, 'getCurrent' | 'getRevision' | 'revisionAt'>;
  /** The people a flow rings or notifies; and, for a text that closes or opens a schedule, who sent it. */
  directory: Pick<DirectoryStore, 'peopleFor' | 'usersByPhone'>;
  /**
   * Shared schedules (DESIGN.md section 15): those a flow's hours name, with their overrides (one read);
   * for a text that closes or opens one, all of them by name, and the override it sets.
   */
  schedules: Pick<ScheduleStore, 'schedulesFor' | 'list' | 'setOverride'>;
  /** Wrong override PINs, counted per user: a text cannot guess one. */
  pins: PinFailureStore;
  messages: MessageStore;
  traces: TraceStore;
  state: StateStore;
  /** Where voicemails, transcripts, texts and unrouted events go when DynamoDB cannot take them (DESIGN.md section 11). */
  spill: Spill;
  now(): Date;
  authToken(): Promise<string>;
  /** PUBLIC_URL: everything before the route, when Twilio calls a custom domain. */
  publicUrl?: string;
  /** Local mode only: honour the carrier simulator's clock header (never in AWS: the header is not signed). */
  allowSimulatedTime?: boolean;
  /**
   * Texts for the carrier's REST API (`text` applet, voicemail notify, inbox overflow), put on the outbound
   * queue for the sender function (DESIGN.md section 17); best effort.
   */
  texts?: TextSender;
  /**
   * Who opted out of texts from which number (DESIGN.md section 17): the sms webhook records STOP and
   * START, and leaves opted-out recipients out of its answer. Absent: nothing is recorded or left out.
   */
  optOuts?: OptOutStore;
  /**
   * Who is on a call and when their last call ended, from their legs' status callbacks (longest-idle,
   * queues). Absent: nothing is recorded and longest-idle rings in group order.
   */
  presence?: PresenceStore;
  /** Who waits in each call queue and which members are offered them (DESIGN.md section 3, `queue`). */
  queues?: QueueStore;
  /** Where work is handed off (voicemail emails, queue offers): done off the webhook path. */
  jobs?: JobQueue;
  /** The dashboard's address: an email links to the voicemail there. */
  dashboardUrl?: string;
  /** The outbound texts' delivery records, which the status callbacks move along. Absent: not recorded. */
  outbound?: Pick<OutboundStore, 'advance'>;
}

/**
 * The carrier waits seconds, not minutes: a DynamoDB request that hangs is cut short (and retried once)
 * so the webhook can still give the safe answer in time. Waiting for one of the client's sockets (the
 * local server runs every concurrent webhook through one client) is not a failed connection: it may last
 * up to the answer deadline, which bounds the whole request anyway (request-budget.ts).
 */
export const webhookDynamoClientConfig: RequestBudget = { maxAttempts: 2, connectionTimeout: 500, requestTimeout: 1_000, socketWait: ANSWER_DEADLINE_MS };

export function webhookDepsFromEnv(env: NodeJS.ProcessEnv = process.env): WebhookDeps {
  const doc = createDynamoDb(webhookDynamoClientConfig);
  const stores = routingStores(doc, tableNamesFromEnv(env, TABLE_KEYS.filter((k) => k !== 'outbound')));
  // Only the sms function is granted (and told) the Outbound table: it takes the texts' status callbacks.
  const outboundTable = env[TABLES.outbound.envVar];
  // One SQS client, made now (not when the first text or spilled item comes), for both queues.
  const sqs = env[ENV.spillQueueUrl] || env[ENV.outboxQueueUrl] ? sqsClient() : undefined;
  return {
    ...stores,
    spill: spillFromEnv(env, sqs),
    now: () => new Date(),
    authToken: twilioAuthToken,
    publicUrl: env[ENV.publicUrl] || undefined,
    allowSimulatedTime: env[ENV.local] === '1',
    texts: new OutboxTextSender(outboxFromEnv(env, sqs)),
    ...(outboundTable && { outbound: new DynamoOutboundStore(doc, outboundTable) }),
    jobs: jobQueueFromEnv(env),
    dashboardUrl: env[ENV.dashboardUrl] || undefined,
  };
}

/** The engine's state keys, scoped to the flow so two flows never share a counter. */
export function flowPorts(deps: Pick<WebhookDeps, 'state' | 'presence'>, flowId: string): EnginePorts {
  return {
    nextRoundRobinStart: (key, count, callSid) => deps.state.nextRoundRobinStart(`${flowId}:${key}`, count, callSid),
    stickyMember: (key) => deps.state.stickyMember(`${flowId}:${key}`),
    rememberSticky: (key, userId, now) => deps.state.rememberSticky(`${flowId}:${key}`, userId, now),
    // A member's calls are theirs, whichever flow rang them: not scoped to the flow.
    presence: async (userIds) => (deps.presence ? deps.presence.presence(userIds) : new Map()),
  };
}
