// Which ids can be DynamoDB keys: one from a request that cannot names nothing (404), before DynamoDB refuses it.
import { NotFoundError } from '../errors';

/**
 * The longest id the stores look up. Ids of flows, users and groups are the server's own (`usr_` and 12
 * hex digits), and the carrier's Sids are 34 characters: anything far longer names nothing. The bound is
 * far under DynamoDB's key limits (2,048 bytes for a partition key, 1,024 for a sort key) even inside the
 * composite keys built from ids (`rr#flow:applet:group`), so no lookup reaches DynamoDB with a key it refuses.
 */
export const MAX_ID_LENGTH = 128;

/** Whether `id` could name a stored item: non-empty, at most MAX_ID_LENGTH, no control characters, no lone surrogates. */
export const isKeyableId = (id: string): boolean => id.length > 0 && id.length <= MAX_ID_LENGTH && !/[\p{Cc}\p{Cs}]/u.test(id);

/**
 * An id from a request that cannot be a key names nothing: not found (404), before DynamoDB would refuse
 * it (a 500). The message quotes only the start of a long id.
 */
export function assertKeyableId(kind: string, id: string): void {
  if (!isKeyableId(id)) throw new NotFoundError(`${kind} ${JSON.stringify(id.length > 40 ? `${id.slice(0, 40)}…` : id)}`);
}
