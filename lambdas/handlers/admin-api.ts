// Admin API Lambda: /api/* (the browser, Cognito tokens checked by the HTTP API's JWT authorizer) and
// /cli/api/* (the command-line tools, AWS credentials: IAM); locally the server plays both authorizers.
import { adminApi } from '../admin/api';
import { ENV } from '../config/env';
import { dynamoDb } from '../store/dynamo-client';
import { createStores } from '../store/stores';
import { tableNamesFromEnv } from '../store/tables';

// Configuration and clients once per cold start; a missing table name fails here, loudly.
const deps = { ...createStores(dynamoDb(), tableNamesFromEnv()), now: () => new Date() };

// Locally the API is on loopback, so a write must come from its own pages; and without --auth it is open.
// In AWS every request has an authorizer's word (access.ts), else it is 401.
const local = process.env[ENV.local] === '1';
export const handler = adminApi(deps, { checkOrigin: local, open: local && process.env[ENV.adminAccess] === 'open' });
