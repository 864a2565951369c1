// The carrier link's admin routes (DESIGN.md section 13), part of the admin API's table (routes.ts). Here,
// not in carrier/: they are the admin API's adapter around the carrier's use cases, so admin/ depends on
// carrier/ and report/, and neither depends on admin/. The carrier's failures are named errors
// (CarrierNotConfiguredError 503, CarrierError 502, lambdas/errors.ts) that the adminErrors middleware answers.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { carrierLinkFromEnv, trimUrl, type CarrierLink } from '../carrier/carrier-link';
import { NumberListCache } from '../carrier/number-list-cache';
import { listCarrierNumbers, readCarrierAccount, type CarrierAccount } from '../carrier/numbers';
import { getStudioFlow, listStudioFlows, STUDIO_FLOW_SID, takeOverStudioNumbers } from '../carrier/studio-flows';
import { inProcessContinuation, SqsContinuation } from '../carrier/sync-continuation';
import { publicJob, runSyncStep, startSync, type SyncContinuation, type SyncDeps } from '../carrier/sync-job';
import { ENV } from '../config/env';
import { FlowInvalidError, NotFoundError, ValidationError } from '../errors';
import { hasErrors } from '../flows/problems';
import { carrierCheck, type CarrierCheck } from '../report/carrier-check';
import { listCarrierMessages } from './carrier-messages';
import { getFlow, type AdminDeps } from './flows';
import { json, jsonBody, parseWith } from './http';
import type { Route } from './router';

/** Built from the environment on first use, once per process, unless the deps bring their own (tests). */
let fromEnv: CarrierLink | undefined;
export const carrierLinkOf = (deps: AdminDeps): CarrierLink => deps.carrier ?? (fromEnv ??= carrierLinkFromEnv());

/**
 * Where the numbers must point: PUBLIC_URL, else the URL this request came in on (the admin API and the
 * webhooks share one HTTP API; a named stage is part of the path).
 */
export function publicUrlOf(link: CarrierLink, event: APIGatewayProxyEventV2): string {
  if (link.publicUrl) return link.publicUrl;
  const stage = event.requestContext.stage;
  return trimUrl(`https://${event.requestContext.domainName}${stage && stage !== '$default' ? `/${stage}` : ''}`)!;
}

/** One cache per carrier link (per process in AWS; per harness in the tests). */
const reportLists = new WeakMap<CarrierLink, NumberListCache<CarrierAccount>>();
const reportListOf = (link: CarrierLink, now: () => Date) => {
  let cache = reportLists.get(link);
  if (!cache) reportLists.set(link, (cache = new NumberListCache<CarrierAccount>(now)));
  return cache;
};

/**
 * The report's carrier check for an admin request: the numbers must point where this API is served. It
 * reads the account (its numbers and Messaging Services) through the report's cache (number-list-cache.ts):
 * the dashboard asks often.
 */
export function requestCarrierCheck(deps: AdminDeps, event: APIGatewayProxyEventV2): CarrierCheck {
  const link = carrierLinkOf(deps);
  const cache = reportListOf(link, deps.now);
  const account = async () => {
    const live = await link.api();
    return cache.list(() => readCarrierAccount(live));
  };
  return carrierCheck({ account, publicUrl: publicUrlOf(link, event) }, deps.numbers, deps.now);
}

/** The in-process continuation of each set of deps (locally and in the tests); SQS when the stack gave a queue. */
const inProcess = new WeakMap<AdminDeps, SyncContinuation>();
let sqs: SyncContinuation | undefined;

/** What a sync job needs, from the admin API's deps. */
export function syncDepsOf(deps: AdminDeps): SyncDeps {
  const link = carrierLinkOf(deps);
  const queueUrl = process.env[ENV.carrierSyncQueueUrl];
  let continuation = deps.carrierSync ?? (queueUrl ? (sqs ??= new SqsContinuation(queueUrl)) : inProcess.get(deps));
  if (!continuation) {
    continuation = inProcessContinuation((jobId) => runSyncStepFor(deps, jobId));
    inProcess.set(deps, continuation);
  }
  return {
    jobs: deps.syncJobs,
    numbers: deps.numbers,
    carrier: () => link.api(),
    continuation,
    now: deps.now,
    ...deps.syncTuning,
  };
}

/** One step of a sync job, and the report's view of the account emptied: the numbers' URLs changed. */
export async function runSyncStepFor(deps: AdminDeps, jobId: string): Promise<void> {
  try {
    await runSyncStep(syncDepsOf(deps), jobId);
  } finally {
    reportLists.get(carrierLinkOf(deps))?.clear();
  }
}

const syncBody = z.strictObject({ includeServices: z.enum(['inbound_url', 'number_webhooks']).optional() });

/** A Studio flow's SID from the path, or a 400 naming `sid`. */
function studioSid(raw: string): string {
  if (!STUDIO_FLOW_SID.test(raw)) throw new ValidationError([{ path: 'sid', message: `must be a Studio flow SID like FW0123456789abcdef0123456789abcdef (got "${raw}")` }]);
  return raw;
}

const takeOverBody = z.strictObject({ flowId: z.string().min(1).max(64) });

export const carrierRoutes: Route[] = [
  { method: 'GET', path: ['carrier', 'studio-flows'], run: async (d) => json(200, await listStudioFlows(await carrierLinkOf(d).api())) },
  {
    method: 'GET',
    path: ['carrier', 'studio-flows', ':sid'],
    run: async (d, _e, p) => json(200, await getStudioFlow(await carrierLinkOf(d).api(), studioSid(p.sid))),
  },
  {
    method: 'POST',
    path: ['carrier', 'studio-flows', ':sid', 'take-over'],
    run: async (d, e, p) => {
      const sid = studioSid(p.sid);
      const { flowId } = parseWith(takeOverBody, jsonBody(e));
      // Only a flow the checker passes takes the numbers over (DESIGN.md section 18): its current revision, checked now.
      const flow = await getFlow(d, flowId);
      if (hasErrors(flow.problems)) throw new FlowInvalidError(flow.problems);
      const link = carrierLinkOf(d);
      try {
        return json(200, await takeOverStudioNumbers({ numbers: d.numbers, carrier: await link.api(), now: d.now }, sid, flowId, publicUrlOf(link, e)));
      } finally {
        // The numbers' URLs changed (some, on a failure half-way): the report must see them as they are now.
        reportLists.get(link)?.clear();
      }
    },
  },
  // The outbound texts and their delivery (DESIGN.md section 17): read from our records, not from Twilio.
  { method: 'GET', path: ['carrier', 'messages'], run: async (d, e) => json(200, await listCarrierMessages(d, e.queryStringParameters ?? {})) },
  {
    method: 'GET',
    path: ['carrier', 'numbers'],
    run: async (d, e) => json(200, await listCarrierNumbers({ numbers: d.numbers, carrier: await carrierLinkOf(d).api() }, publicUrlOf(carrierLinkOf(d), e))),
  },
  {
    method: 'POST',
    path: ['carrier', 'sync'],
    run: async (d, e) => {
      const { includeServices } = e.body ? parseWith(syncBody, jsonBody(e)) : {};
      const link = carrierLinkOf(d);
      // Credentials missing (503) or refused (502) are said at once, not in a job that fails later: one read.
      await (await link.api()).pageIncomingPhoneNumbers();
      const { job, started } = await startSync(syncDepsOf(d), { publicUrl: publicUrlOf(link, e), includeServices });
      return json(202, { ...job, started }, { location: `/api/carrier/sync/${job.id}` });
    },
  },
  {
    method: 'GET',
    path: ['carrier', 'sync'],
    run: async (d) => {
      const latest = await d.syncJobs.latest();
      return json(200, { job: latest ? publicJob(latest) : null });
    },
  },
  {
    method: 'GET',
    path: ['carrier', 'sync', ':jobId'],
    run: async (d, _e, p) => {
      const job = /^sync_[0-9a-f]{16}$/.test(p.jobId) ? await d.syncJobs.get(p.jobId) : undefined;
      if (!job) throw new NotFoundError(`sync job ${p.jobId}`);
      return json(200, publicJob(job));
    },
  },
];
