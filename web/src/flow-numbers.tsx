// "Numbers of this flow" on the flow page: list, assign another number (flow side), unassign.
import { useState } from 'preact/hooks';
import { phonePath, send } from './api';
import type { NumberList } from '../../lambdas/api-types';
import { ErrorNote, LoadError, Loading, StatusBadge, useAction, useApi } from './ui';

export function FlowNumbers({ flowId, flowName }: { flowId: string; flowName: string }) {
  const mine = useApi<NumberList>(`/api/flows/${flowId}/numbers`);
  // The picker offers the first 1,000 numbers (the API's largest page), by number.
  const all = useApi<NumberList>('/api/numbers?limit=1000');
  const assign = useAction();
  const unassign = useAction();
  const [pick, setPick] = useState('');
  const others = (all.data?.numbers ?? []).filter((n) => n.flowId !== flowId);
  return (
    <section class="panel" aria-labelledby="flow-numbers-title">
      <header class="panel-head">
        <h2 id="flow-numbers-title">Numbers of this flow</h2>
      </header>
      {mine.error ? (
        <LoadError error={mine.error} what="the numbers" retry={mine.reload} />
      ) : !mine.data ? (
        <Loading what="numbers" />
      ) : mine.data.numbers.length === 0 ? (
        <p class="empty">No number uses {flowName} yet.</p>
      ) : (
        <table class="table" id="flow-numbers">
          <tbody>
            {mine.data.numbers.map((n) => (
              <tr key={n.number} data-number={n.number}>
                <th scope="row" class="mono">
                  {n.number}
                </th>
                <td>{n.name}</td>
                <td>
                  <StatusBadge status={n.status} />
                </td>
                <td class="actions">
                  <button class="btn btn-small btn-ghost" disabled={unassign.busy} onClick={() => void unassign.run(() => send('DELETE', `/api/numbers/${phonePath(n.number)}/flow`))}>
                    Unassign
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ErrorNote error={unassign.error} />
      <form
        class="inline-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (pick && (await assign.run(() => send('PUT', `/api/flows/${flowId}/numbers/${phonePath(pick)}`)))) setPick('');
        }}
      >
        <label for="assign-number">Assign a number</label>
        <select id="assign-number" value={pick} onChange={(e) => setPick((e.target as HTMLSelectElement).value)}>
          <option value="">Choose a number…</option>
          {others.map((n) => (
            <option key={n.number} value={n.number}>
              {n.number} {n.name}
              {n.flowName ? ` (now on ${n.flowName})` : ' (no flow)'}
            </option>
          ))}
        </select>
        <button class="btn btn-small" type="submit" disabled={!pick || assign.busy}>
          Assign
        </button>
      </form>
      <ErrorNote error={assign.error} />
    </section>
  );
}
