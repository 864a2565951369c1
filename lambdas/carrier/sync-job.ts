// The carrier sync as a job that outlives one request (DESIGN.md section 13, issue 19 item 5): a 10,000-
// number account takes minutes against Twilio (one update per number), an admin request 29 s at most.
// `startSync` answers at once with the job; `runSyncStep` advances it for a time budget, saving its
// progress after every few numbers (a cursor: the page of the account's numbers it is on, as Twilio's
// next-page URL with its PageToken, and the place in that page), and hands what is left to the next step
// through a continuation (SQS in AWS, a timer locally: sync-continuation.ts). A step that fails (Twilio or
// DynamoDB unreachable) is tried again a few times, then the job is `failed`; POST /api/carrier/sync
// resumes it from its cursor. Every save is conditioned on the version the step read, so two steps of one
// job never both advance it. What a sync does to one number is what the request-bound sync did: register
// it if Switchboard does not know it, point its own URLs here; it never changes a trunk, and changes a
// Messaging Service only with `includeServices`, as the user chose.
import { randomBytes } from 'node:crypto';
import type { CarrierSyncJob, IncludeServices, NotConnectedReason } from '../api-types';
import { CarrierError, CarrierNotConfiguredError } from '../errors';
import { errorField, logger } from '../observability/logger';
import type { NumberStore } from '../store/number-store';
import type { SyncJobState, SyncJobStore } from '../store/sync-job-store';

export type { SyncJobState };
import type { CarrierApi, MessagingServiceResource, NumberPage, TwilioNumberResource } from './carrier-link';
import { connectUpdate, connectionOf, nameFromFriendly, ownSettingsAreOurs, serviceTakesTexts, serviceUpdate, servicesByNumber, webhookUrls, type WebhookUrls } from './numbers';

export type SyncJobs = SyncJobStore;

/** How the next step of a job gets run: at once, or after a pause (a retry). */
export interface SyncContinuation {
  schedule(jobId: string, delaySeconds: number): Promise<void>;
}

export interface SyncDeps {
  jobs: SyncJobs;
  numbers: Pick<NumberStore, 'registerIfAbsent'>;
  carrier(): Promise<CarrierApi>;
  continuation: SyncContinuation;
  now(): Date;
  /** How long one step works before it hands over (an admin Lambda has 29 s). @default STEP_BUDGET_MS */
  stepBudgetMs?: number;
  /** The pause before the first retry of a failed step, doubled for each next one. @default 5 */
  retryBaseSeconds?: number;
}

/** The knobs of a sync job's steps (tests make them short). */
export type SyncTuning = Pick<SyncDeps, 'stepBudgetMs' | 'retryBaseSeconds'>;

export const STEP_BUDGET_MS = 18_000;
/**
 * Numbers in the works at once: Twilio's per-account API concurrency (about 100 requests at a time) is
 * shared with everything else the account does, and a 429 is retried by the library.
 */
export const SYNC_CONCURRENCY = 10;
/** Numbers between two saves of the job's progress. */
export const SYNC_CHUNK = 100;
/** Failed steps in a row before the job is `failed` (each after a longer pause). */
export const MAX_STEP_RETRIES = 3;
/** A running job nobody has advanced for this long has lost its continuation (a crash, a dead letter): POST resumes it. */
export const STALE_AFTER_MS = 5 * 60_000;
const MAX_FAILURES_KEPT = 20;
/** A step's lease outlasts its budget by this much: its last chunk and save (the function's own limit is 29 s). */
const LEASE_MARGIN_MS = 30_000;

/** The job as the API shows it. */
export function publicJob(job: SyncJobState): CarrierSyncJob {
  const { publicUrl: _url, cursor: _cursor, retries: _retries, version: _version, lease: _lease, ...shown } = job;
  return shown;
}

const newJobId = () => `sync_${randomBytes(8).toString('hex')}`;

/**
 * `POST /api/carrier/sync`: the running job if there is one (a second POST starts nothing), the last job
 * resumed from where it stopped if it failed or lost its continuation (same options), else a new job.
 */
export async function startSync(deps: SyncDeps, options: { publicUrl: string; includeServices?: IncludeServices }): Promise<{ job: CarrierSyncJob; started: 'new' | 'resumed' | 'running' }> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const latest = await deps.jobs.latest();
    const now = deps.now();
    const sameOptions = latest && latest.publicUrl === options.publicUrl && latest.includeServices === options.includeServices;
    if (latest?.status === 'running' && now.getTime() - Date.parse(latest.updatedAt) < STALE_AFTER_MS) return { job: publicJob(latest), started: 'running' };
    if (latest && sameOptions && latest.status !== 'done') {
      const resumed: SyncJobState = { ...latest, status: 'running', retries: 0, updatedAt: now.toISOString(), version: latest.version + 1 };
      delete resumed.error;
      delete resumed.finishedAt;
      delete resumed.lease;
      if (!(await deps.jobs.save(resumed, latest.version))) continue;
      await deps.continuation.schedule(resumed.id, 0);
      logger.info('carrier sync resumed', { jobId: resumed.id, done: resumed.done, total: resumed.total });
      return { job: publicJob(resumed), started: 'resumed' };
    }
    const at = now.toISOString();
    const job: SyncJobState = {
      id: newJobId(),
      status: 'running',
      phase: 'count',
      ...(options.includeServices && { includeServices: options.includeServices }),
      total: null,
      done: 0,
      failed: 0,
      imported: 0,
      connected: 0,
      unchanged: 0,
      servicesChanged: 0,
      notConnected: {},
      failures: [],
      startedAt: at,
      updatedAt: at,
      publicUrl: options.publicUrl,
      cursor: { offset: 0, ahead: [] },
      retries: 0,
      version: 0,
    };
    if (!(await deps.jobs.create(job, latest?.id))) continue;
    await deps.continuation.schedule(job.id, 0);
    logger.info('carrier sync started', { jobId: job.id, includeServices: job.includeServices });
    return { job: publicJob(job), started: 'new' };
  }
  throw new CarrierError('another sync was being started at the same moment; ask again', 0);
}

/** Another step has the job (its save moved the version on): this one stops without a word. */
class LostJob extends Error {}

/** Twilio refused this number (not the account, not the network): the number fails, the job goes on. */
const numberRefused = (err: unknown) => err instanceof CarrierError && err.status >= 400 && err.status < 500 && ![401, 403, 429].includes(err.status);

/**
 * Advances a job for one step's budget (or to its end), then schedules the next step. Never throws for
 * the job's own failures: they are retried, then recorded.
 */
export async function runSyncStep(deps: SyncDeps, jobId: string): Promise<void> {
  const read = await deps.jobs.get(jobId);
  if (!read || read.status !== 'running') return;
  // Another step is at work on it (a message delivered twice, a POST that resumed it meanwhile).
  if (read.lease && Date.parse(read.lease.until) > deps.now().getTime()) return;
  const budget = deps.stepBudgetMs ?? STEP_BUDGET_MS;
  const deadline = Date.now() + budget;
  let job = read;
  const save = async (next: SyncJobState): Promise<SyncJobState> => {
    const saved = { ...next, updatedAt: deps.now().toISOString(), version: job.version + 1 };
    // A job that stops running is nobody's any more.
    if (saved.status !== 'running') delete saved.lease;
    if (!(await deps.jobs.save(saved, job.version))) throw new LostJob();
    job = saved;
    return saved;
  };
  const release = (j: SyncJobState): SyncJobState => {
    const { lease: _lease, ...free } = j;
    return free;
  };
  try {
    // Claims the job: a step that read it before loses at its first save, one that reads it now stops at the lease.
    job = await save({ ...job, lease: { step: randomBytes(6).toString('hex'), until: new Date(deps.now().getTime() + budget + LEASE_MARGIN_MS).toISOString() } });
    const api = await deps.carrier();
    const urls = webhookUrls(job.publicUrl);
    const step = new Step(deps, api, urls, save);
    while (job.status === 'running' && Date.now() < deadline) job = await step.advance(job, deadline);
    if (job.status === 'running') {
      job = await save(release(job));
      await deps.continuation.schedule(job.id, 0);
    } else logger.info('carrier sync finished', { jobId, ...progress(job) });
  } catch (err) {
    if (err instanceof LostJob) return;
    const retries = job.retries + 1;
    const error = err instanceof Error ? err.message : String(err);
    logger.error('a carrier sync step failed', { jobId, retries, error: errorField(err), ...progress(job) });
    // Credentials that are missing or refused do not mend by waiting.
    const hopeless = err instanceof CarrierNotConfiguredError || (err instanceof CarrierError && (err.status === 401 || err.status === 403));
    try {
      if (hopeless || retries > MAX_STEP_RETRIES) {
        await save({ ...job, status: 'failed', error, retries, finishedAt: deps.now().toISOString() });
      } else {
        await save({ ...release(job), error, retries });
        await deps.continuation.schedule(job.id, (deps.retryBaseSeconds ?? 5) * 2 ** (retries - 1));
      }
    } catch (saveErr) {
      // The store itself is down: the continuation's own redelivery (SQS) or a later POST resumes it.
      if (!(saveErr instanceof LostJob)) throw saveErr;
    }
  }
}

const progress = (job: SyncJobState) => ({ phase: job.phase, done: job.done, total: job.total, failed: job.failed });

/** One step's work on a job; keeps the page it read, and the account's Messaging Services, for the step. */
class Step {
  private page?: { url: string | undefined; data: NumberPage };
  private services?: Map<string, MessagingServiceResource>;

  constructor(
    private readonly deps: SyncDeps,
    private readonly api: CarrierApi,
    private readonly urls: WebhookUrls,
    private readonly save: (job: SyncJobState) => Promise<SyncJobState>,
  ) {}

  /** One unit of work (counting, the services, one batch of numbers), saved. */
  async advance(job: SyncJobState, deadline: number): Promise<SyncJobState> {
    if (job.phase === 'count') return this.save({ ...job, total: await this.count(deadline), phase: job.includeServices ? 'services' : 'numbers' });
    if (job.phase === 'services') return this.save({ ...job, servicesChanged: job.servicesChanged + (await this.changeServices(job.includeServices!)), phase: 'numbers' });
    return this.batch(job);
  }

  /** The account's numbers, page by page (ten requests for 10,000 numbers). */
  private async count(deadline: number): Promise<number> {
    let total = 0;
    let next: string | undefined;
    do {
      if (Date.now() > deadline + 10_000) throw new CarrierError('counting the account’s numbers took longer than a step may', 0);
      const page = await this.api.pageIncomingPhoneNumbers(next);
      total += page.numbers.length;
      next = page.next ?? undefined;
    } while (next);
    return total;
  }

  private async changeServices(choice: IncludeServices): Promise<number> {
    let changed = 0;
    for (const service of await this.api.listMessagingServices()) {
      if (service.phone_number_sids.length === 0 || !serviceTakesTexts(service, this.urls)) continue;
      await this.api.updateMessagingService(service.sid, serviceUpdate(choice, this.urls));
      logger.info('a Messaging Service now hands its texts here', { service: service.sid, choice });
      changed++;
    }
    return changed;
  }

  private async servicesOfNumbers(): Promise<Map<string, MessagingServiceResource>> {
    this.services ??= servicesByNumber(await this.api.listMessagingServices());
    return this.services;
  }

  /**
   * The next chunk of numbers at the cursor, SYNC_CONCURRENCY at a time, then the job saved: the cursor
   * moves past every number handled up to the first that stopped the step; numbers after it that were
   * already done are counted and remembered (`ahead`), so the step that comes back skips them.
   */
  private async batch(job: SyncJobState): Promise<SyncJobState> {
    if (!this.page || this.page.url !== job.cursor.page) this.page = { url: job.cursor.page, data: await this.api.pageIncomingPhoneNumbers(job.cursor.page) };
    const { numbers, next } = this.page.data;
    if (job.cursor.offset >= numbers.length) {
      if (!next) return this.save({ ...job, status: 'done', total: job.done, cursor: { offset: 0, ahead: [] }, finishedAt: this.deps.now().toISOString() });
      return this.save({ ...job, cursor: { page: next, offset: 0, ahead: [] } });
    }
    const services = await this.servicesOfNumbers();
    const ahead = new Set(job.cursor.ahead);
    const unsure = new Set(job.cursor.unsure ?? []);
    const chunk = numbers.slice(job.cursor.offset, job.cursor.offset + SYNC_CHUNK);
    const results: Array<PromiseSettledResult<NumberOutcome | 'skip'> | undefined> = new Array(chunk.length);
    let stop = false;
    let taken = 0;
    const worker = async () => {
      while (!stop && taken < chunk.length) {
        const i = taken++;
        const n = chunk[i];
        try {
          results[i] = { status: 'fulfilled', value: ahead.has(n.sid) ? 'skip' : await this.syncOne(n, services.get(n.sid), job.startedAt, unsure.has(n.sid)) };
        } catch (reason) {
          results[i] = { status: 'rejected', reason };
          if (!numberRefused(reason)) stop = true;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SYNC_CONCURRENCY, chunk.length) }, worker));
    const next_ = structuredClone(job);
    let stopped: unknown;
    // Its update was sent (it was not ours): it may have gone through even if the number failed.
    const maybeHalfDone = (n: TwilioNumberResource) => {
      if (!ownSettingsAreOurs(n, this.urls)) next_.cursor.unsure = [...(next_.cursor.unsure ?? []), n.sid];
    };
    chunk.forEach((n, i) => {
      const result = results[i];
      if (stopped !== undefined || !result) {
        // Past the failure: counted now, skipped when the step comes back; failed too: maybe half done; not started: left for then.
        if (result?.status === 'fulfilled' && result.value !== 'skip') {
          count(next_, result.value);
          next_.cursor.ahead.push(n.sid);
        } else if (result?.status === 'rejected') maybeHalfDone(n);
        return;
      }
      if (result.status === 'fulfilled') {
        if (result.value !== 'skip') count(next_, result.value);
        next_.cursor.ahead = next_.cursor.ahead.filter((sid) => sid !== n.sid);
      } else if (numberRefused(result.reason)) {
        next_.failed++;
        next_.done++;
        if (next_.failures.length < MAX_FAILURES_KEPT) next_.failures.push({ number: n.phone_number, error: (result.reason as Error).message });
      } else {
        stopped = result.reason;
        maybeHalfDone(n);
        return;
      }
      next_.cursor.offset++;
      if (next_.cursor.unsure?.includes(n.sid)) next_.cursor.unsure = next_.cursor.unsure.filter((sid) => sid !== n.sid);
    });
    // A chunk that went well resets the count of failed steps: only failures in a row stop a job.
    if (stopped === undefined) {
      next_.retries = 0;
      delete next_.error;
    }
    const saved = await this.save(next_);
    if (stopped !== undefined) throw stopped;
    return saved;
  }

  /**
   * One number: registered if Switchboard does not know it (a known one keeps its name and flow), its own
   * settings pointed here if they are not, both at once; what still keeps it elsewhere. A number this job
   * registered or pointed here before a failure stopped it half-way (one of the two done) counts as
   * imported (registered since the job began) or connected (`unsure`, and found ours) when it comes back to it.
   */
  private async syncOne(n: TwilioNumberResource, service: MessagingServiceResource | undefined, since: string, unsure: boolean): Promise<NumberOutcome> {
    const register = this.deps.numbers.registerIfAbsent(n.phone_number, nameFromFriendly(n), this.deps.now()).then((r) => r.created || r.createdAt >= since);
    const connect = ownSettingsAreOurs(n, this.urls)
      ? Promise.resolve(undefined)
      : this.api.updateIncomingPhoneNumber(n.sid, connectUpdate(this.urls)).catch((err: unknown) => {
          // Released while the sync ran: nothing to connect.
          if (err instanceof CarrierError && err.status === 404) return null;
          throw err;
        });
    const [imported, updated] = await Promise.all([register, connect]);
    if (updated === null) return { imported, updated: false };
    const after = connectionOf(updated ?? n, this.urls, service);
    // Already ours, but this job's own update may be why (it failed half-way on this number before).
    return { imported, updated: updated !== undefined || unsure, ...(!after.connected && { remaining: after.reason }) };
  }
}

interface NumberOutcome {
  imported: boolean;
  updated: boolean;
  /** What still takes its calls or texts (a trunk; a service the sync was not to change). */
  remaining?: NotConnectedReason;
}

function count(job: SyncJobState, outcome: NumberOutcome): void {
  job.done++;
  if (outcome.imported) job.imported++;
  if (outcome.updated) job.connected++;
  if (!outcome.imported && !outcome.updated) job.unchanged++;
  if (outcome.remaining) job.notConnected[outcome.remaining] = (job.notConnected[outcome.remaining] ?? 0) + 1;
}
