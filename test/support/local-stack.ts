// Starts the local stack (server + handlers + demo) on a free port against the run's DynamoDB Local.
import { randomBytes } from 'node:crypto';
import { startLocalStack, type LocalStack } from '../../local/stack';

export async function startTestStack(): Promise<LocalStack> {
  return startLocalStack({
    port: 0,
    dynamoEndpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB,
    tablePrefix: `e2e${randomBytes(4).toString('hex')}`,
  });
}

export async function http(stack: LocalStack, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${stack.url}${path}`, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}
