// Admin API Lambda: every /api/* route (IAM-authorized in AWS, open on 127.0.0.1 locally).
import { adminApi } from '../admin/api';
import { ENV } from '../config/env';
import { dynamoDb } from '../store/dynamo-client';
import { createStores } from '../store/stores';
import { tableNamesFromEnv } from '../store/tables';

// Configuration and clients once per cold start; a missing table name fails here, loudly.
const deps = { ...createStores(dynamoDb(), tableNamesFromEnv()), now: () => new Date() };

// IAM guards the routes in AWS; locally the API is open on loopback, so a write must come from its own pages.
export const handler = adminApi(deps, { checkOrigin: process.env[ENV.local] === '1' });
