// Admin API Lambda: /api/* (the browser, Cognito tokens checked by the HTTP API's JWT authorizer) and
// /cli/api/* (the command-line tools, AWS credentials: IAM); locally the server plays both authorizers.
// The same function takes the steps of carrier sync jobs from its sync queue (lib/admin-api.ts): one
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

// Locally the API is on loopback, so a write must come from its own pages; and without --auth it is open.
// In AWS every request has an authorizer's word (access.ts), else it is 401.
const local = process.env[ENV.local] === '1';
const api = adminApi(deps, { checkOrigin: local, open: local && process.env[ENV.adminAccess] === 'open' });

/** A step stops this long before the function's limit: its last batch and save, and the next message, fit. */
const STEP_MARGIN_MS = 8_000;

async function syncSteps(event: SQSEvent, context?: Context): Promise<void> {
  const left = context?.getRemainingTimeInMillis?.();
  const stepDeps = left ? { ...deps, syncTuning: { stepBudgetMs: Math.max(left - STEP_MARGIN_MS, 1_000) } } : deps;
  for (const jobId of stepJobIds(event)) await runSyncStepFor(stepDeps, jobId);
}

export const handler = (event: Parameters<typeof api>[0] | SQSEvent, context?: Context) =>
  isSqsEvent(event) ? syncSteps(event, context) : api(event, context);
