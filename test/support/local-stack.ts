// Starts the local stack (server + handlers + demo) on a free port against the run's DynamoDB Local.
import { randomBytes } from 'node:crypto';
import { startLocalStack, type LocalStack } from '../../local/stack';
import type { Transcript, TranscriptEntry } from '../../local/carrier';

export interface TestStackOptions {
  webDir?: string;
  auth?: boolean;
  fakeTwilio?: boolean;
  /** The demo data (default true). */
  seed?: boolean;
}

/** The local stack on a free port, over the run's DynamoDB Local, in tables of its own. */
export async function startTestStack(options: TestStackOptions = {}): Promise<LocalStack> {
  // The fake carrier prints every text it takes; the tests read them from it instead.
  if (options.fakeTwilio) process.env.SWITCHBOARD_QUIET_CARRIER = '1';
  return startLocalStack({
    ...options,
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
  let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the server's JSON answer, read by path by the tests
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, body: json, text, headers: res.headers };
}

/** An admin call that must succeed: its JSON body, or an error naming the route and the answer. */
export async function httpOk(stack: LocalStack, method: string, path: string, body?: unknown, headers?: Record<string, string>) {
  const res = await http(stack, method, path, body, headers);
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${res.text}`);
  return res.body;
}

/**
 * Waits until the local stack's sender has sent (or given up on) every queued text: the webhooks only
 * queue them (DESIGN.md section 17). Bounded: a carrier that does not take texts leaves them queued.
 */
export async function outboxSent(stack: LocalStack): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await stack.outbox.sender.drainNow();
    if (!stack.outbox.sender.pending()) return;
  }
}

type Entry<K extends TranscriptEntry['kind']> = Extract<TranscriptEntry, { kind: K }>;
/** The transcript entries of one kind (say, dial, message, request...), typed. */
export const entries = <K extends TranscriptEntry['kind']>(t: Transcript, kind: K) => t.entries.filter((e): e is Entry<K> => e.kind === kind);
