// Deleting a flow says what it affects and offers what to do about it (issue 20 item 6): the numbers it
// answers, by name, are moved to another flow or left without one (then they are in the report), instead of
// a refusal that names an API flag. Flows that redirect here are named, with a way to them.
import { useState } from 'preact/hooks';
import { phonePath, request } from './api';
import type { Flow, FlowList, NumberList } from '../../lambdas/api-types';
import type { NameBook } from './human-errors';
import { leaveWithoutAsking } from './leave-guard';
import { Dialog, ErrorNote, useApi, useRefresh } from './ui';

export function DeleteFlowDialog({ flow, names, onClose }: { flow: Flow; names: NameBook; onClose: () => void }) {
  const { bump } = useRefresh();
  const numbers = useApi<NumberList>(`/api/flows/${encodeURIComponent(flow.id)}/numbers`);
  const flows = useApi<FlowList>('/api/flows');
  const others = (flows.data?.flows ?? []).filter((f) => f.id !== flow.id);
  const [choice, setChoice] = useState<'move' | 'leave'>('move');
  const [target, setTarget] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const list = numbers.data?.numbers ?? [];
  const moving = list.length > 0 && choice === 'move' && others.length > 0;
  const moveTo = target || others[0]?.id || '';
  const count = `${list.length} ${list.length === 1 ? 'number' : 'numbers'}`;
  return (
    <Dialog title={`Delete ${flow.name}?`} onClose={onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(undefined);
          try {
            if (moving) for (const n of list) await request('PUT', `/api/numbers/${phonePath(n.number)}/flow`, { flowId: moveTo });
            await request('DELETE', `/api/flows/${encodeURIComponent(flow.id)}${list.length > 0 && !moving ? '?unassign=true' : ''}`);
          } catch (err) {
            setError(err);
            setBusy(false);
            numbers.reload();
            return;
          }
          // Leave the page first: reloading a deleted flow's page would only find a 404.
          leaveWithoutAsking('#/');
          setTimeout(bump, 0);
        }}
      >
        <p>
          {flow.name} and its {flow.currentRevision === 1 ? 'revision go' : `${flow.currentRevision} revisions go`} for good.{' '}
          {numbers.data ? (list.length ? `It answers ${count}:` : 'No number uses it.') : 'Looking up the numbers it answers…'}
        </p>
        {list.length > 0 && (
          <>
            <ul class="affected">
              {list.map((n) => (
                <li key={n.number}>
                  {n.name} <span class="mono">{n.number}</span>
                </li>
              ))}
            </ul>
            <fieldset class="fieldset">
              <legend>What should happen to {list.length === 1 ? 'it' : 'them'}?</legend>
              {others.length > 0 && (
                <div class="radio-row">
                  <label class="check">
                    <input type="radio" name="delete-flow-numbers" checked={choice === 'move'} onChange={() => setChoice('move')} />
                    Move {list.length === 1 ? 'it' : 'them'} to
                  </label>
                  <label class="sr-only" for="delete-flow-move-to">
                    Flow to move them to
                  </label>
                  <select id="delete-flow-move-to" value={moveTo} disabled={choice !== 'move'} onChange={(e) => setTarget((e.target as HTMLSelectElement).value)}>
                    {others.map((f) => (
                      <option key={f.id} value={f.id}>
                        {f.name}
                      </option>
                    ))}
                  </select>
                </div>
              )}
              <label class="check">
                <input type="radio" name="delete-flow-numbers" checked={choice === 'leave' || others.length === 0} onChange={() => setChoice('leave')} />
                Leave {list.length === 1 ? 'it' : 'them'} without a flow: calls and texts are kept in Unrouted, and the report lists {list.length === 1 ? 'it' : 'them'}
              </label>
            </fieldset>
          </>
        )}
        <ErrorNote error={error} names={names} />
        <footer class="dialog-foot">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-danger" disabled={busy || !numbers.data}>
            {moving ? `Move ${count} and delete` : 'Delete flow'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
