// Counts the items DynamoDB reads for a piece of work (Query/Scan ScannedCount, GetItem hits,
// BatchGetItem responses): the report's cost is measured in items, not seconds.
import type { DynamoDb } from '../../lambdas/store/dynamo-client';

export function countReads(doc: DynamoDb): { readonly items: number; readonly requests: number; reset(): void } {
  const tally = { items: 0, requests: 0 };
  const send = doc.send.bind(doc);
  doc.send = async (command) => {
      const result = await send(command);
      const out = result as { ScannedCount?: number; Count?: number; Item?: unknown; Responses?: Record<string, unknown[]> };
      tally.requests++;
      if (typeof out.ScannedCount === 'number') tally.items += out.ScannedCount;
      else if (typeof out.Count === 'number') tally.items += out.Count;
      else if (out.Item) tally.items += 1;
      else if (out.Responses && !Array.isArray(out.Responses)) tally.items += Object.values(out.Responses).reduce((s, r) => s + r.length, 0);
      return result;
  };
  return {
    get items() {
      return tally.items;
    },
    get requests() {
      return tally.requests;
    },
    reset() {
      tally.items = 0;
      tally.requests = 0;
    },
  };
}
