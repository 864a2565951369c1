// `GET /api/carrier/messages?status=&limit=&cursor=` (DESIGN.md section 17): the outbound texts with their
// delivery status, newest first, a page at a time. Bad input is a 400 naming the field and reads nothing.
import type { OutboundMessage, OutboundMessageList } from '../api-types';
import { ValidationError } from '../errors';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../flows/delivery';
import type { OutboundPageKey, OutboundRecord, OutboundStore } from '../store/outbound-store';

export const MESSAGES_PAGE = { default: 50, max: 200 } as const;

export const messageView = (r: OutboundRecord): OutboundMessage => ({
  id: r.id,
  sid: r.sid ?? null,
  from: r.from,
  to: r.to,
  body: r.body,
  reason: r.reason,
  cause: r.cause ?? null,
  status: r.status,
  errorCode: r.errorCode ?? null,
  errorMessage: r.errorMessage ?? null,
  queuedAt: r.queuedAt,
  updatedAt: r.updatedAt,
});

export async function listCarrierMessages(deps: { outbound: Pick<OutboundStore, 'page'> }, query: Record<string, string | undefined>): Promise<OutboundMessageList> {
  const { status, limit, cursor } = query;
  const issues = [];
  if (status !== undefined && !(DELIVERY_STATUSES as readonly string[]).includes(status)) issues.push({ path: 'status', message: `must be one of ${DELIVERY_STATUSES.join(', ')}` });
  if (limit !== undefined && !(/^\d{1,4}$/.test(limit) && Number(limit) >= 1 && Number(limit) <= MESSAGES_PAGE.max)) {
    issues.push({ path: 'limit', message: `must be a whole number from 1 to ${MESSAGES_PAGE.max}` });
  }
  const after = cursor === undefined || issues.length ? undefined : decodeCursor(cursor, status as DeliveryStatus | undefined);
  if (cursor !== undefined && !issues.length && !after) issues.push({ path: 'cursor', message: 'is not a cursor this list gave out (pass nextCursor from the previous page, with the same status)' });
  if (issues.length) throw new ValidationError(issues);
  const page = await deps.outbound.page({ status: status as DeliveryStatus | undefined, limit: limit === undefined ? MESSAGES_PAGE.default : Number(limit), after });
  return { messages: page.records.map(messageView), ...(page.next && { nextCursor: encodeCursor(page.next) }) };
}

/** Opaque to clients: the page's LastEvaluatedKey as base64url JSON. */
const encodeCursor = (key: OutboundPageKey) => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * A cursor this list gave out for this status, or undefined: checked field by field, so a made-up one can
 * never reach DynamoDB as a key it refuses (a 500) or one of the other index.
 */
function decodeCursor(cursor: string, status: DeliveryStatus | undefined): OutboundPageKey | undefined {
  if (!/^[A-Za-z0-9_-]{1,600}$/.test(cursor)) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!key || typeof key !== 'object' || Array.isArray(key)) return undefined;
  const k = key as Record<string, unknown>;
  const fields = Object.keys(k).sort().join(',');
  const idOk = typeof k.id === 'string' && /^txt_[0-9a-f]{32}$/.test(k.id);
  const atOk = typeof k.queuedAt === 'string' && !Number.isNaN(Date.parse(k.queuedAt));
  if (!idOk || !atOk) return undefined;
  if (status) return fields === 'id,queuedAt,status' && k.status === status ? { id: k.id as string, queuedAt: k.queuedAt as string, status } : undefined;
  return fields === 'feed,id,queuedAt' && k.feed === '1' ? { id: k.id as string, queuedAt: k.queuedAt as string, feed: '1' } : undefined;
}
