// A number's flow picker that changes nothing until the choice is confirmed (issue 20 item 6): an arrow key
// or a mouse wheel over a live number's <select> used to reassign it at once. Now the choice waits beside a
// Save (or Enter) and a Cancel (or Escape), and says what will happen.
import { useEffect, useState } from 'preact/hooks';
import { phonePath, send } from './api';
import type { FlowRow, NumberRow } from '../../lambdas/api-types';
import { ErrorNote, useAction } from './ui';

export function NumberFlowPicker({ n, flows, id }: { n: NumberRow; flows: FlowRow[]; id: string }) {
  const assign = useAction();
  const current = n.flowId ?? '';
  const [choice, setChoice] = useState(current);
  // A reload that brings another flow (someone else, or this save) resets the choice to what is live.
  useEffect(() => setChoice(current), [current]);
  const changed = choice !== current;
  const save = async () => {
    if (!changed) return;
    await assign.run(() => (choice ? send('PUT', `/api/numbers/${phonePath(n.number)}/flow`, { flowId: choice }) : send('DELETE', `/api/numbers/${phonePath(n.number)}/flow`)));
  };
  const target = flows.find((f) => f.id === choice)?.name;
  return (
    <form
      class="flow-picker-form"
      aria-label={`Flow of ${n.name}`}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label class="sr-only" for={id}>
        Flow for {n.name} ({n.number})
      </label>
      <select
        id={id}
        class="flow-picker"
        value={choice}
        disabled={assign.busy}
        aria-describedby={changed ? `${id}-pending` : undefined}
        onChange={(e) => (setChoice((e.target as HTMLSelectElement).value), assign.clear())}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            void save();
          } else if (e.key === 'Escape' && changed) {
            e.preventDefault();
            setChoice(current);
          }
        }}
      >
        <option value="">— No flow —</option>
        {flows.map((f) => (
          <option key={f.id} value={f.id}>
            {f.name}
          </option>
        ))}
      </select>
      {changed && (
        <div class="pending-choice">
          <span id={`${id}-pending`} class="small">
            {target ? `Calls and texts to ${n.name} will go to ${target}.` : `${n.name} will have no flow: its calls and texts are kept in Unrouted.`}
          </span>
          <button type="submit" class="btn btn-small btn-primary" disabled={assign.busy}>
            Save
          </button>
          <button type="button" class="btn btn-small btn-ghost" onClick={() => (setChoice(current), assign.clear())}>
            Cancel
          </button>
        </div>
      )}
      <ErrorNote error={assign.error} />
    </form>
  );
}
