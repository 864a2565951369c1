// Revision history on the flow page: every published revision (number, name, time), a diff of any two
// (applets added, removed and changed, listed and marked on the newer one's diagram), and restore, which
// publishes a copy of the old revision as a new one (with If-Match, like any publish).
import { useEffect, useState } from 'preact/hooks';
import { get, send } from './api';
import { Diagram } from './diagram';
import { diffParts, type Names, type PartDiff } from './flow-model';
import type { Channel, Flow, Revision } from '../../lambdas/api-types';
import { settingChanges } from './setting-diff';
import type { Part } from './types';
import { Dialog, ErrorNote, LoadError, Loading, formatTime, useAction, useApi } from './ui';
import { canEdit, useMe } from './my-calls';

function DiffList({ channel, diff, before, after, names }: { channel: Channel; diff: PartDiff; before?: Part; after?: Part; names: Names }) {
  const none = !diff.added.length && !diff.removed.length && !diff.changed.length && !diff.startChanged;
  return (
    <div class="diff-part" data-diff={channel}>
      <h3>{channel === 'call' ? 'Call part' : 'SMS part'}</h3>
      {none ? (
        <p class="muted small">No change.</p>
      ) : (
        <ul class="diff-list">
          {diff.added.map((id) => (
            <li key={`a${id}`} class="diff-added">
              added <code>{id}</code>
            </li>
          ))}
          {diff.removed.map((id) => (
            <li key={`r${id}`} class="diff-removed">
              removed <code>{id}</code>
            </li>
          ))}
          {diff.changed.map((id) => [
            <li key={`c${id}`} class="diff-changed">
              changed <code>{id}</code>
            </li>,
            <li key={`s${id}`} class="diff-settings-row">
              <table class="diff-settings" aria-label={`Settings of ${id} that changed`}>
                <thead>
                  <tr>
                    <th scope="col">Setting</th>
                    <th scope="col">Before</th>
                    <th scope="col">After</th>
                  </tr>
                </thead>
                <tbody>
                  {settingChanges(before?.applets[id], after?.applets[id], names).map((c) => (
                    <tr key={c.setting} data-setting={c.setting}>
                      <th scope="row">{c.setting}</th>
                      <td class="diff-before">{c.before}</td>
                      <td class="diff-after">{c.after}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </li>,
          ])}
          {diff.startChanged && (
            <li class="diff-changed">
              start moved from <code>{before?.start ?? '—'}</code> to <code>{after?.start ?? '—'}</code>
            </li>
          )}
        </ul>
      )}
    </div>
  );
}

function Compare({ flowId, a, b, names }: { flowId: string; a: number; b: number; names: Names }) {
  const [docs, setDocs] = useState<{ a: Flow; b: Flow }>();
  const [error, setError] = useState<unknown>();
  useEffect(() => {
    let live = true;
    setDocs(undefined);
    Promise.all([get<Flow>(`/api/flows/${flowId}/revisions/${a}`), get<Flow>(`/api/flows/${flowId}/revisions/${b}`)]).then(
      ([x, y]) => live && setDocs({ a: x, b: y }),
      (e) => live && setError(e),
    );
    return () => {
      live = false;
    };
  }, [flowId, a, b]);
  if (error) return <LoadError error={error} what="the revisions" />;
  if (!docs) return <Loading what="the revisions" />;
  return (
    <div class="compare" aria-label={`Changes from revision ${a} to ${b}`}>
      {docs.a.name !== docs.b.name && (
        <p>
          Renamed from <strong>{docs.a.name}</strong> to <strong>{docs.b.name}</strong>.
        </p>
      )}
      <div class="diff-grid">
        {(['call', 'sms'] as const).map((c) => {
          const diff = diffParts(docs.a[c], docs.b[c]);
          const part = docs.b[c];
          return (
            <div key={c}>
              <DiffList channel={c} diff={diff} before={docs.a[c] as Part | undefined} after={docs.b[c] as Part | undefined} names={names} />
              {part && (diff.added.length > 0 || diff.changed.length > 0) && (
                <Diagram part={part} channel={c} problems={[]} names={names} marks={{ added: diff.added, changed: diff.changed }} />
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function Revisions({ flow, names, onRestored, unpublished = false }: { flow: Flow; names: Names; onRestored: () => void; unpublished?: boolean }) {
  const [confirming, setConfirming] = useState<Revision>();
  const list = useApi<{ revisions: Revision[] }>(`/api/flows/${encodeURIComponent(flow.id)}/revisions`);
  const restore = useAction();
  // Restoring publishes: members read the history, editors and admins restore.
  const me = useMe();
  const editable = !me || canEdit(me);
  const revisions = [...(list.data?.revisions ?? [])].sort((x, y) => y.revision - x.revision);
  const [a, setA] = useState<number>();
  const [b, setB] = useState<number>();
  const [comparing, setComparing] = useState<{ a: number; b: number }>();
  const from = a ?? revisions[1]?.revision;
  const to = b ?? revisions[0]?.revision;
  return (
    <section class="panel" aria-labelledby="rev-title">
      <header class="panel-head">
        <h2 id="rev-title">Revisions</h2>
      </header>
      {list.error ? (
        <LoadError error={list.error} what="the revisions" retry={list.reload} />
      ) : !list.data ? (
        <Loading what="revisions" />
      ) : (
        <>
          <table class="table" id="revisions">
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">Name</th>
                <th scope="col">Published</th>
                <th scope="col">
                  <span class="sr-only">Restore</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {revisions.map((r) => (
                <tr key={r.revision} data-revision={r.revision}>
                  <th scope="row">
                    {r.revision}
                    {r.revision === flow.currentRevision && <span class="badge badge-info"> current</span>}
                  </th>
                  <td>{r.name}</td>
                  <td>
                    {formatTime(r.publishedAt)}
                    {r.publishedBy && <span class="muted small published-by"> by {r.publishedBy}</span>}
                  </td>
                  <td class="actions">
                    {r.revision !== flow.currentRevision && editable && (
                      <button
                        class="btn btn-small"
                        disabled={restore.busy}
                        aria-label={`Restore revision ${r.revision}`}
                        onClick={() => (restore.clear(), setConfirming(r))}
                      >
                        Restore
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {confirming && (
            <Dialog title={`Restore revision ${confirming.revision}?`} onClose={() => setConfirming(undefined)}>
              <form
                class="form"
                onSubmit={async (e) => {
                  e.preventDefault();
                  const ok = await restore.run(() => send('POST', `/api/flows/${encodeURIComponent(flow.id)}/revisions/${confirming.revision}/restore`, undefined, { 'if-match': String(flow.currentRevision) }));
                  if (ok) {
                    setConfirming(undefined);
                    onRestored();
                  }
                }}
              >
                <p>
                  Revision {confirming.revision} (“{confirming.name}”, published {formatTime(confirming.publishedAt)}) is published again as revision {flow.currentRevision + 1} and goes live at once
                  {flow.numberCount > 0 ? ` on the ${flow.numberCount === 1 ? 'number' : `${flow.numberCount} numbers`} this flow answers` : ''}. Revision {flow.currentRevision} stays in the history.
                </p>
                {unpublished && <p class="warn-note">Your unpublished changes on this page are replaced by it.</p>}
                <ErrorNote error={restore.error} names={names} />
                <footer class="dialog-foot">
                  <button type="button" class="btn btn-ghost" onClick={() => setConfirming(undefined)}>
                    Cancel
                  </button>
                  <button type="submit" class="btn btn-primary" disabled={restore.busy}>
                    Restore revision {confirming.revision}
                  </button>
                </footer>
              </form>
            </Dialog>
          )}
          {revisions.length > 1 && from !== undefined && to !== undefined && (
            <form
              class="inline-form compare-form"
              onSubmit={(e) => {
                e.preventDefault();
                setComparing({ a: from, b: to });
              }}
            >
              <label for="diff-a">Compare revision</label>
              <select id="diff-a" value={from} onChange={(e) => setA(Number((e.target as HTMLSelectElement).value))}>
                {revisions.map((r) => (
                  <option key={r.revision} value={r.revision}>
                    {r.revision}
                  </option>
                ))}
              </select>
              <label for="diff-b">with</label>
              <select id="diff-b" value={to} onChange={(e) => setB(Number((e.target as HTMLSelectElement).value))}>
                {revisions.map((r) => (
                  <option key={r.revision} value={r.revision}>
                    {r.revision}
                  </option>
                ))}
              </select>
              <button class="btn btn-small" type="submit">
                Show changes
              </button>
            </form>
          )}
          {comparing && <Compare flowId={flow.id} a={comparing.a} b={comparing.b} names={names} />}
        </>
      )}
    </section>
  );
}
