// Admin API Lambda: every /api/* route (IAM-authorized in AWS, open on 127.0.0.1 locally).
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { handleAdminRequest } from '../admin/routes';
import { documentClient } from '../store/dynamo';
import { createStores } from '../store/stores';
import { tableNamesFromEnv } from '../store/tables';

// Configuration and clients once per cold start; a missing table name fails here, loudly.
const deps = { ...createStores(documentClient(), tableNamesFromEnv()), now: () => new Date() };

export const handler = (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => handleAdminRequest(deps, event);
