// Find anything (issue 20 item 4): the search, status filter and sort of the Numbers table (served by the
// admin API, so they hold at 100,000 numbers) and of the Flows table (the flows are few: filtered here).
import { useEffect, useState } from 'preact/hooks';
import type { FlowRow, NumberStatus } from '../../lambdas/api-types';

export interface NumberQuery {
  q: string;
  status: '' | NumberStatus;
  sort: 'number' | '-number';
}

/** The query string of `GET /api/numbers` for a query, a page size and a cursor. */
export function numbersPath(query: NumberQuery, limit: number, cursor?: string): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (query.q.trim()) params.set('q', query.q.trim());
  if (query.status) params.set('status', query.status);
  if (query.sort !== 'number') params.set('sort', query.sort);
  if (cursor) params.set('cursor', cursor);
  return `/api/numbers?${params.toString()}`;
}

/** What is typed, applied a moment after the typing stops (one request per search, not per key). */
export function useSettled<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(t);
  }, [JSON.stringify(value)]);
  return settled;
}

const STATUS_CHOICES: Array<[NumberQuery['status'], string]> = [
  ['', 'Any status'],
  ['ok', 'OK'],
  ['no_flow', 'No flow'],
  ['no_call_flow', 'No call flow'],
  ['no_sms_flow', 'No SMS flow'],
];

export function NumberFilters({ query, onChange, searching }: { query: NumberQuery; onChange: (q: NumberQuery) => void; searching: boolean }) {
  return (
    <div class="list-filters" role="search" aria-label="Find numbers">
      <label class="grow-field">
        <span>Search numbers</span>
        <input type="search" value={query.q} placeholder="Name or digits, like 0100 or (555) 010-0003" onInput={(e) => onChange({ ...query, q: (e.target as HTMLInputElement).value })} />
      </label>
      <label>
        <span>Status</span>
        <select value={query.status} onChange={(e) => onChange({ ...query, status: (e.target as HTMLSelectElement).value as NumberQuery['status'] })}>
          {STATUS_CHOICES.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <label>
        <span>Sort</span>
        <select value={query.sort} onChange={(e) => onChange({ ...query, sort: (e.target as HTMLSelectElement).value as NumberQuery['sort'] })}>
          <option value="number">Number, ascending</option>
          <option value="-number">Number, descending</option>
        </select>
      </label>
      {searching && (
        <span class="muted small" role="status">
          Searching…
        </span>
      )}
    </div>
  );
}

export interface FlowQuery {
  q: string;
  show: 'all' | 'incomplete' | 'unused';
  sort: 'name' | 'numbers' | 'updated';
}

/** The flows that match, in the order asked: by name, by numbers served (most first), or newest revision first. */
export function filterFlows(flows: FlowRow[], query: FlowQuery): FlowRow[] {
  const q = query.q.trim().toLowerCase();
  const shown = flows.filter(
    (f) =>
      (!q || f.name.toLowerCase().includes(q)) &&
      (query.show === 'all' || (query.show === 'incomplete' ? !(f.call.configured && f.sms.configured) : f.numberCount === 0)),
  );
  const byName = (a: FlowRow, b: FlowRow) => a.name.localeCompare(b.name, undefined, { sensitivity: 'base', numeric: true });
  return shown.sort(query.sort === 'numbers' ? (a, b) => b.numberCount - a.numberCount || byName(a, b) : query.sort === 'updated' ? (a, b) => b.revision - a.revision || byName(a, b) : byName);
}

export function FlowFilters({ query, onChange }: { query: FlowQuery; onChange: (q: FlowQuery) => void }) {
  return (
    <div class="list-filters" role="search" aria-label="Find flows">
      <label class="grow-field">
        <span>Search flows</span>
        <input type="search" value={query.q} placeholder="Flow name" onInput={(e) => onChange({ ...query, q: (e.target as HTMLInputElement).value })} />
      </label>
      <label>
        <span>Show</span>
        <select value={query.show} onChange={(e) => onChange({ ...query, show: (e.target as HTMLSelectElement).value as FlowQuery['show'] })}>
          <option value="all">All flows</option>
          <option value="incomplete">Missing a part</option>
          <option value="unused">Used by no number</option>
        </select>
      </label>
      <label>
        <span>Sort</span>
        <select value={query.sort} onChange={(e) => onChange({ ...query, sort: (e.target as HTMLSelectElement).value as FlowQuery['sort'] })}>
          <option value="name">Name</option>
          <option value="numbers">Most numbers</option>
          <option value="updated">Most revisions</option>
        </select>
      </label>
    </div>
  );
}
