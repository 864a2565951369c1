// Carrier sync jobs (lambdas/carrier/sync-job.ts) in the state table: one item per job,
// `carrier-sync#<id>`, written only with the version it was read at (so two workers never both advance
// one job: the second's write fails and it stops), and `carrier-sync#latest` naming the newest job, moved
// only from the job it named (so two POSTs at once start one job). Finished jobs expire after 30 days.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CarrierSyncJob } from '../api-types';
import type { DynamoDb } from './dynamo-client';
import { isConditionFailure } from './transactions';

/** A job as stored: what the API shows, and where it is. */
export interface SyncJobState extends CarrierSyncJob {
  publicUrl: string;
  /** The page being handled (Twilio's next-page URL; absent: the first page) and the place in it. */
  cursor: {
    page?: string;
    offset: number;
    /** SIDs beyond `offset` already handled (a batch that failed part-way): skipped when the step comes back. */
    ahead: string[];
    /** SIDs whose handling failed half-way (their update may have gone through): a number of them found pointing here counts as connected. */
    unsure?: string[];
  };
  /** Failed steps in a row. */
  retries: number;
  /** The step at work on the job, until when: another step that finds it stops (a redelivered message). */
  lease?: { step: string; until: string };
  version: number;
}

export interface SyncJobStore {
  get(id: string): Promise<SyncJobState | undefined>;
  /** The newest job, if any. */
  latest(): Promise<SyncJobState | undefined>;
  /** Stores a new job and makes it the latest, unless the latest is no longer `previousLatest` (false then). */
  create(job: SyncJobState, previousLatest: string | undefined): Promise<boolean>;
  /** Writes `job` (its version one above `expectedVersion`) only if the stored one is still at `expectedVersion`. */
  save(job: SyncJobState, expectedVersion: number): Promise<boolean>;
}

const KEEP_DAYS = 30;
const key = (id: string) => ({ pk: `carrier-sync#${id}`, sk: '-' });
const LATEST = { pk: 'carrier-sync#latest', sk: '-' };

export class DynamoSyncJobStore implements SyncJobStore {
  constructor(
    private readonly doc: DynamoDb,
    private readonly table: string,
  ) {}

  async get(id: string): Promise<SyncJobState | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: key(id), ConsistentRead: true }));
    return out.Item?.job as SyncJobState | undefined;
  }

  async latest(): Promise<SyncJobState | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.table, Key: LATEST, ConsistentRead: true }));
    const id = out.Item?.jobId as string | undefined;
    return id ? this.get(id) : undefined;
  }

  async create(job: SyncJobState, previousLatest: string | undefined): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...LATEST, jobId: job.id },
          ...(previousLatest
            ? { ConditionExpression: 'jobId = :previous', ExpressionAttributeValues: { ':previous': previousLatest } }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
      );
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
    await this.doc.send(new PutCommand({ TableName: this.table, Item: { ...key(job.id), version: job.version, job } }));
    return true;
  }

  async save(job: SyncJobState, expectedVersion: number): Promise<boolean> {
    const expires = job.finishedAt ? { expiresAt: Math.floor(Date.parse(job.finishedAt) / 1000) + KEEP_DAYS * 86400 } : {};
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...key(job.id), version: job.version, job, ...expires },
          ConditionExpression: 'version = :expected',
          ExpressionAttributeValues: { ':expected': expectedVersion },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }
}
