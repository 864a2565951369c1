// Admin API Lambda: every /api/* route (IAM-authorized in AWS, open on 127.0.0.1 locally), and the steps
// of carrier sync jobs, which the same function takes from its sync queue (lib/admin-api.ts): one
// message, one step, within the function's own time limit.
import type { Context, SQSEvent } from 'aws-lambda';
import { adminApi } from '../admin/api';
import { runSyncStepFor } from '../admin/carrier-routes';
import { isSqsEvent, stepJobIds } from '../carrier/sync-continuation';
import { ENV } from '../config/env';
import { dynamoDb } from '../store/dynamo-client';
import { createStores } from '../store/stores';
import { tableNamesFromEnv } from '../store/tables';

// Configuration and clients once per cold start; a missing table name fails here, loudly.
const deps = { ...createStores(dynamoDb(), tableNamesFromEnv()), now: () => new Date() };

// IAM guards the routes in AWS; locally the API is open on loopback, so a write must come from its own pages.
const api = adminApi(deps, { checkOrigin: process.env[ENV.local] === '1' });

/** A step stops this long before the function's limit: its last batch and save, and the next message, fit. */
const STEP_MARGIN_MS = 8_000;

async function syncSteps(event: SQSEvent, context?: Context): Promise<void> {
  const left = context?.getRemainingTimeInMillis?.();
  const stepDeps = left ? { ...deps, syncTuning: { stepBudgetMs: Math.max(left - STEP_MARGIN_MS, 1_000) } } : deps;
  for (const jobId of stepJobIds(event)) await runSyncStepFor(stepDeps, jobId);
}

export const handler = (event: Parameters<typeof api>[0] | SQSEvent, context?: Context) =>
  isSqsEvent(event) ? syncSteps(event, context) : api(event, context);
