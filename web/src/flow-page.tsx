// The flow page (the editor): each part drawn as a diagram, edited on the diagram (palette, branch
// pickers, settings forms made from the schema), checked as you edit, published with If-Match so a 412
// or 422 never loses the edits; revision history with diff and restore; the simulator lighting its path;
// the numbers the flow serves; and a JSON view of the same document.
import schemas from 'virtual:applet-schemas';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, request } from './api';
import { Diagram } from './diagram';
import { FlowNumbers } from './flow-numbers';
import { appletTypesOf, deleteApplet, newApplet, newAppletId, sameDocument, setBranch, type Names } from './flow-model';
import { appletLabel } from './overview';
import { AppletForm, setIn } from './schema-form';
import { Revisions } from './revisions';
import { Simulator } from './simulator';
import { documentOf } from './starters';
import type { Channel, Flow, FlowList, Group, Problem, PublishResult, ScheduleView, User } from '../../lambdas/api-types';
import { canEdit, useMe } from './my-calls';
import { FlowSchedules } from './schedules';
import type { Applet, FlowDocument, Part } from './types';
import { ErrorNote, LoadError, Loading, useApi, useRefresh } from './ui';
import { draftTime, restorable, useDraftSaver, useStoredDraft, type DraftSave } from './flow-draft';
import { useLeaveGuard } from './leave-guard';
import { DeleteFlowDialog } from './delete-flow-dialog';
import { humanize } from './human-errors';
import { NewPersonDialog, type PersonKind } from './new-person-dialog';

/** A 422: the flow has checker errors (they are the live checker's to show). */
const isInvalid = (error: unknown) => error instanceof ApiError && error.status === 422;

/** A list as loaded, plus what was created here since (until the list has them). */
const withMade = <T extends { id: string }>(loaded: T[] | undefined, made: T[]): T[] => [...(loaded ?? []), ...made.filter((m) => !loaded?.some((l) => l.id === m.id))];

/** Where the draft stands on the server, beside "Unpublished changes". */
function DraftState({ save }: { save: DraftSave }) {
  if (save.state === 'saving') return <span class="muted small"> · saving draft…</span>;
  if (save.state === 'saved') return <span class="muted small"> · draft saved {draftTime(save.at)}</span>;
  if (save.state === 'failed') return <span class="draft-failed small"> · the draft could not be saved ({save.error instanceof Error ? save.error.message : String(save.error)}); keep this page open</span>;
  return null;
}

/** Runs the checker on the draft as it changes (debounced); the published problems until the first edit. */
function useChecker(draft: FlowDocument | undefined, dirty: boolean, published: Problem[] | undefined) {
  const [state, setState] = useState<{ problems?: Problem[]; error?: unknown; checking: boolean }>({ checking: false });
  const seq = useRef(0);
  useEffect(() => {
    if (!draft || !dirty) {
      setState({ checking: false });
      return undefined;
    }
    const mine = ++seq.current;
    setState((s) => ({ ...s, checking: true }));
    const timer = setTimeout(() => {
      request<{ problems: Problem[] }>('POST', '/api/flows/check', draft).then(
        (r) => mine === seq.current && setState({ problems: r.body.problems, checking: false }),
        (error) => mine === seq.current && setState({ error, checking: false }),
      );
    }, 250);
    return () => clearTimeout(timer);
  }, [draft, dirty]);
  return { problems: dirty ? state.problems ?? published ?? [] : published ?? [], error: dirty ? state.error : undefined, checking: state.checking };
}

/** Issues the API named inside one applet (`call.applets.menu.prompt.text` → `prompt.text`). */
function issuesFor(error: unknown, channel: Channel, appletId: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(error instanceof ApiError)) return out;
  const prefix = `${channel}.applets.${appletId}.`;
  for (const f of error.fields) if (f.path.startsWith(prefix)) out[f.path.slice(prefix.length)] = f.message;
  return out;
}

export function FlowPage({ id }: { id: string }) {
  const flow = useApi<Flow>(`/api/flows/${encodeURIComponent(id)}`);
  const users = useApi<{ users: User[] }>('/api/users');
  const groups = useApi<{ groups: Group[] }>('/api/groups');
  const flows = useApi<FlowList>('/api/flows');
  const schedules = useApi<{ schedules: ScheduleView[] }>('/api/schedules');
  const { bump } = useRefresh();
  const base = flow.data;
  const baseDoc = useMemo(() => (base ? documentOf(base) : undefined), [base]);
  const [draft, setDraft] = useState<FlowDocument>();
  /** The revision the edits started from: what publishing names in If-Match. */
  const [baseRevision, setBaseRevision] = useState<number>();
  /** Unpublished changes found on the server when the page opened. */
  const [restored, setRestored] = useState<{ savedAt: string; baseRevision: number }>();
  // Members read flows; editors and admins change them (undefined `me`: still loading, or an open dashboard).
  const me = useMe();
  const editable = !me || canEdit(me);
  // Drafts are editors' and admins' (a member's would be refused): a member's page neither reads nor saves one.
  const stored = useStoredDraft(id, editable);
  const adopt = useRef(true);
  const lastBase = useRef<FlowDocument | undefined>(undefined);
  useEffect(() => {
    if (!baseDoc || !base || !stored.loaded) return;
    const first = lastBase.current === undefined;
    const kept = first ? restorable(stored.draft) : undefined;
    if (kept && stored.draft && !sameDocument(kept, baseDoc)) {
      setDraft(kept);
      setBaseRevision(stored.draft.baseRevision);
      setRestored({ savedAt: stored.draft.savedAt, baseRevision: stored.draft.baseRevision });
    } else if (adopt.current || !draft || (lastBase.current && sameDocument(draft, lastBase.current))) {
      // Take the published document unless the user has edits of their own (then keep them).
      setDraft(baseDoc);
      setBaseRevision(base.currentRevision);
    }
    adopt.current = false;
    lastBase.current = baseDoc;
  }, [baseDoc, stored.loaded]);
  const dirty = !!draft && !!baseDoc && !sameDocument(draft, baseDoc);
  const draftSave = useDraftSaver(id, draft, dirty, baseRevision, editable && stored.loaded && lastBase.current !== undefined, stored.draft !== undefined);
  useLeaveGuard(dirty ? `${draft?.name || 'This flow'} has unpublished changes. They are kept as a draft on the server, so you can come back and publish them later.` : undefined);
  const discard = () => {
    setDraft(baseDoc);
    setBaseRevision(base?.currentRevision);
    setRestored(undefined);
    setPublishError(undefined);
  };
  const checker = useChecker(draft, dirty, base?.problems);
  const [channel, setChannel] = useState<Channel>('call');
  const [selected, setSelected] = useState<string>();
  const [lit, setLit] = useState<{ channel: Channel; applets: string[] }>();
  const [publishError, setPublishError] = useState<unknown>();
  const [publishing, setPublishing] = useState(false);
  const [published, setPublished] = useState<number>();
  const [view, setView] = useState<'diagram' | 'json'>('diagram');
  const [deleting, setDeleting] = useState(false);

  // People created from the editor's dialog are known at once, before the lists reload with them.
  const [made, setMade] = useState<{ users: User[]; groups: Group[] }>({ users: [], groups: [] });
  const [creating, setCreating] = useState<{ kind: PersonKind; then: (id: string) => void }>();
  const userList = useMemo(() => withMade(users.data?.users, made.users), [users.data, made.users]);
  const groupList = useMemo(() => withMade(groups.data?.groups, made.groups), [groups.data, made.groups]);
  const names: Names = useMemo(
    () => ({
      users: new Map(userList.map((u) => [u.id, u.name])),
      groups: new Map(groupList.map((g) => [g.id, g.name])),
      flows: new Map((flows.data?.flows ?? []).map((f) => [f.id, f.name])),
      schedules: new Map((schedules.data?.schedules ?? []).map((s) => [s.id, s.name])),
    }),
    [userList, groupList, flows.data, schedules.data],
  );

  if (flow.error && !base) return <LoadError error={flow.error} what="this flow" retry={flow.reload} />;
  // Hooks above, early answers below: the page waits for the flow and its stored draft.
  if (!base || !draft) return <Loading what="the flow" />;

  const part = draft[channel];
  // The checker speaks of ids; the page of names (human-errors.ts).
  const problems = checker.problems.map((p) => ({ ...p, message: humanize(p.message, names) }));
  const partProblems = problems.filter((p) => p.channel === channel);
  const errors = problems.filter((p) => p.severity === 'error');
  // Entries the schema refuses (a time typed half-way, a number that is not one): shown on their fields,
  // and nothing is published until they are fixed.
  const invalidEntries = checker.error instanceof ApiError && checker.error.status === 400 ? Math.max(1, checker.error.fields.length) : 0;

  const appletDefaults = () => ({
    group: groupList[0]?.id,
    user: userList[0]?.id,
    flow: flows.data?.flows.find((f) => f.id !== base.id)?.id,
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  });
  const update = (doc: FlowDocument) => {
    setDraft(doc);
    setPublished(undefined);
  };
  const updatePart = (p: Part | undefined) => update(p ? { ...draft, [channel]: p } : (({ [channel]: _gone, ...rest }) => rest as FlowDocument)(draft));
  const updateApplet = (appletId: string, a: Applet) => part && updatePart({ ...part, applets: { ...part.applets, [appletId]: a } });
  const addApplet = (type: string) => {
    const newId = newAppletId(part, type);
    const a = newApplet(type, appletDefaults());
    const next: Part = part ? { ...part, applets: { ...part.applets, [newId]: a } } : { start: newId, applets: { [newId]: a } };
    updatePart(next);
    setSelected(newId);
  };
  /** "New applet…" picked for a branch: the applet is added and the branch connected to it in one edit. */
  const connectNew = (fromId: string, path: Array<string | number>, type: string) => {
    if (!part) return;
    const newId = newAppletId(part, type);
    const a = newApplet(type, appletDefaults());
    updatePart({ ...part, applets: { ...part.applets, [fromId]: setIn(part.applets[fromId], path, newId), [newId]: a } });
  };

  const publish = async (over?: number) => {
    setPublishing(true);
    setPublishError(undefined);
    try {
      const answer = await request<PublishResult>('PUT', `/api/flows/${encodeURIComponent(base.id)}`, draft, { 'if-match': String(over ?? baseRevision ?? base.currentRevision) });
      adopt.current = true;
      setRestored(undefined);
      setPublished(answer.body.revision);
      bump();
    } catch (err) {
      setPublishError(err);
    } finally {
      setPublishing(false);
    }
  };
  const publishOver = async () => {
    try {
      const latest = await request<Flow>('GET', `/api/flows/${encodeURIComponent(base.id)}`);
      await publish(latest.body.currentRevision);
    } catch (err) {
      setPublishError(err);
    }
  };

  const selectedApplet = part && selected ? part.applets[selected] : undefined;
  // The API's 400 fields and the checker's branch problems, each next to its field of the form.
  const appletIssues = selected
    ? {
        ...Object.fromEntries(problems.filter((p) => p.channel === channel && p.applet === selected && p.branch).map((p) => [p.branch!, p.message])),
        ...issuesFor(publishError ?? checker.error, channel, selected),
      }
    : {};

  return (
    <>
      <header class="editor-head panel">
        <a href="#/" class="back">
          ← Overview
        </a>
        <div class="name-field">
          <label for="flow-name-input">Flow name</label>
          <input id="flow-name-input" value={draft.name} onInput={(e) => update({ ...draft, name: (e.target as HTMLInputElement).value })} />
        </div>
        <div class="rev-info">
          <span class="badge badge-neutral">revision {base.currentRevision}</span>
          <span class="muted small">{base.numberCount} {base.numberCount === 1 ? 'number' : 'numbers'}</span>
        </div>
        <div class="editor-state" role="status">
          {checker.checking
            ? 'Checking…'
            : dirty
              ? invalidEntries
                ? `Unpublished changes · ${invalidEntries} ${invalidEntries === 1 ? 'entry' : 'entries'} to fix before publishing`
                : errors.length
                  ? `Unpublished changes · ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}`
                  : 'Unpublished changes'
              : published
                ? `Published revision ${published}`
                : 'Published'}
          {dirty && <DraftState save={draftSave} />}
        </div>
        {editable ? (
          <div class="editor-actions">
            <button class="btn btn-danger-ghost" onClick={() => setDeleting(true)}>
              Delete flow…
            </button>
            <button class="btn btn-ghost" disabled={!dirty || publishing} onClick={discard}>
              Discard changes
            </button>
            <button class="btn btn-primary" disabled={!dirty || publishing || invalidEntries > 0} title={invalidEntries ? 'Fix the entries marked in red first' : undefined} onClick={() => void publish()}>
              {publishing ? 'Publishing…' : 'Publish'}
            </button>
          </div>
        ) : (
          // The API refuses a member's publish (403) anyway; the page says so before any work is lost.
          <p class="editor-actions muted small" role="note" id="read-only-note">
            Read only: publishing a flow needs the editor or admin role.
          </p>
        )}
        {restored && dirty && (
          <div class="draft-restored" role="status">
            <span>
              Unpublished changes from {draftTime(restored.savedAt)} restored
              {restored.baseRevision < base.currentRevision ? ` (made on revision ${restored.baseRevision}; revision ${base.currentRevision} was published since)` : ''}.
            </span>
            <button class="btn btn-small btn-ghost" onClick={discard}>
              Discard them
            </button>
          </div>
        )}
        {stored.error !== undefined && (
          <p class="muted small" role="status">
            Unpublished changes kept from an earlier visit could not be read: {stored.error instanceof Error ? stored.error.message : String(stored.error)}
          </p>
        )}
        {publishError !== undefined && !(isInvalid(publishError) && errors.length === 0 && !checker.checking) && (
          <div class="publish-error">
            {publishError instanceof ApiError && publishError.status === 412 ? (
              <div class="error-note" role="alert">
                Someone published a newer revision since you opened this flow. Your edits are still here, unpublished.{' '}
                <button class="btn btn-small" onClick={() => void publishOver()}>
                  Publish mine over it
                </button>{' '}
                <button class="btn btn-small btn-ghost" onClick={() => (adopt.current = true, setRestored(undefined), setPublishError(undefined), flow.reload())}>
                  Drop mine, load theirs
                </button>
              </div>
            ) : isInvalid(publishError) ? (
              // The checker's errors as they stand now: the banner shrinks as they are fixed and goes with the last.
              <div class="error-note" role="alert">
                Not published: {errors.length === 1 ? 'one problem needs' : `${errors.length} problems need`} fixing first.
                <ul>
                  {errors.map((p, i) => (
                    <li key={i}>
                      {p.applet ? (
                        <button class="btn-link" onClick={() => (setChannel(p.channel), setSelected(p.applet))}>
                          {p.applet}
                        </button>
                      ) : null}{' '}
                      {p.message}
                    </li>
                  ))}
                </ul>
              </div>
            ) : (
              <ErrorNote error={publishError} names={names} />
            )}
          </div>
        )}
      </header>

      <div class="editor">
        <section class="panel editor-main" aria-label="Diagram">
          <div class="editor-toolbar">
            <div class="seg" role="tablist" aria-label="Part">
              {(['call', 'sms'] as const).map((c) => (
                <button key={c} role="tab" aria-selected={channel === c} class={channel === c ? 'seg-on' : ''} onClick={() => (setChannel(c), setSelected(undefined))}>
                  {c === 'call' ? 'Call flow' : 'SMS flow'}
                  {problems.some((p) => p.channel === c && p.severity === 'error') && <span class="dot dot-error" aria-label="has errors" />}
                  {!draft[c] && <span class="muted small"> (none)</span>}
                </button>
              ))}
            </div>
            <div class="seg" role="tablist" aria-label="View">
              <button role="tab" aria-selected={view === 'diagram'} class={view === 'diagram' ? 'seg-on' : ''} onClick={() => setView('diagram')}>
                Diagram
              </button>
              <button role="tab" aria-selected={view === 'json'} class={view === 'json' ? 'seg-on' : ''} onClick={() => setView('json')}>
                JSON
              </button>
            </div>
          </div>
          {problems.filter((p) => p.channel === channel && !p.applet).map((p, i) => (
            <p key={i} class={`part-problem problem-${p.severity}-line`}>
              {p.message}
            </p>
          ))}
          {view === 'json' ? (
            <JsonView draft={draft} onApply={update} />
          ) : part ? (
            <Diagram
              part={part}
              channel={channel}
              problems={partProblems}
              names={names}
              selected={selected}
              onSelect={setSelected}
              lit={lit?.channel === channel ? lit.applets : undefined}
              onConnect={(from, branch, to) => updateApplet(from, setBranch(part.applets[from], branch, to))}
              onPickBranch={(from, branch) => {
                setSelected(from);
                // The branch's picker in the settings form (schema-form.tsx names its fields f-<applet>-<path>).
                const id = `f-${from}-${branch.replace(/\./g, '-')}`.replace(/[^A-Za-z0-9_-]/g, '_');
                setTimeout(() => document.getElementById(id)?.focus(), 0);
              }}
            />
          ) : (
            <div class="empty-part">
              <p>This flow has no {channel === 'call' ? 'call' : 'SMS'} part: {channel === 'call' ? 'calls' : 'texts'} to its numbers are lost (they land in unrouted).</p>
              <p class="muted">Add its first applet from the palette.</p>
            </div>
          )}
        </section>

        <aside class="editor-side">
          {selectedApplet && part && selected ? (
            <section class="panel inspector" aria-label={`Applet ${selected}`}>
              <header class="panel-head">
                <h2>
                  <code>{selected}</code> {appletLabel(selectedApplet.type)}
                </h2>
                <button class="btn-icon" aria-label="Close the applet" onClick={() => setSelected(undefined)}>
                  ×
                </button>
              </header>
              {partProblems
                .filter((p) => p.applet === selected)
                .map((p, i) => (
                  <p key={i} class={`problem-line problem-${p.severity}-line`}>
                    {p.message}
                  </p>
                ))}
              <AppletForm
                key={`${channel}:${selected}`}
                schema={schemas[selectedApplet.type]}
                ctx={{ appletId: selected, applet: selectedApplet, appletIds: Object.keys(part.applets), users: userList, groups: groupList, flows: flows.data?.flows ?? [], schedules: schedules.data?.schedules ?? [], flowId: base.id, issues: appletIssues, appletTypes: appletTypesOf(channel), connectNew: (path, type) => connectNew(selected, path, type), createPerson: (kind, then) => setCreating({ kind, then }) }}
                onChange={(a) => updateApplet(selected, a)}
              />
              <div class="inspector-actions">
                <button class="btn btn-small" disabled={part.start === selected} onClick={() => updatePart({ ...part, start: selected })}>
                  {part.start === selected ? 'Start applet' : 'Make it the start'}
                </button>
                <button class="btn btn-small btn-danger-ghost" onClick={() => (updatePart(Object.keys(part.applets).length > 1 ? deleteApplet(part, selected) : undefined), setSelected(undefined))}>
                  Delete applet
                </button>
              </div>
            </section>
          ) : (
            <section class="panel palette" aria-label="Palette">
              <header class="panel-head">
                <h2>Add an applet</h2>
              </header>
              <ul class="palette-list">
                {appletTypesOf(channel).map((t) => (
                  <li key={t}>
                    <button class={`palette-item chip-${t}`} onClick={() => addApplet(t)}>
                      {appletLabel(t)}
                    </button>
                  </li>
                ))}
              </ul>
              <p class="muted small">Select an applet on the diagram to edit its settings and connect its branches.</p>
            </section>
          )}
          <ProblemsList problems={problems} onPick={(p) => (setChannel(p.channel), setSelected(p.applet))} />
          {checker.error !== undefined && <ErrorNote error={checker.error} names={names} />}
        </aside>
      </div>

      <FlowSchedules ids={schedulesOf(base)} />
      {deleting && <DeleteFlowDialog flow={base} names={names} onClose={() => setDeleting(false)} />}
      {creating && (
        <NewPersonDialog
          kind={creating.kind}
          users={userList}
          onClose={() => setCreating(undefined)}
          onCreated={(p) => {
            setMade((m) => (creating.kind === 'user' ? { ...m, users: [...m.users, p as User] } : { ...m, groups: [...m.groups, p as Group] }));
            setCreating(undefined);
            creating.then(p.id);
            users.reload();
            groups.reload();
          }}
        />
      )}
      <Simulator flow={base} draft={dirty ? draft : undefined} onRun={(c, applets) => (setChannel(c), setView('diagram'), setLit({ channel: c, applets }))} />
      <Revisions flow={base} names={names} unpublished={dirty} onRestored={() => (adopt.current = true, setRestored(undefined))} />
      <FlowNumbers flowId={base.id} flowName={base.name} />
    </>
  );
}

/** The shared schedules the published revision's hours name: their overrides close or open this flow without an edit. */
const schedulesOf = (flow: Flow): string[] =>
  [...new Set([flow.call, flow.sms].flatMap((part) => Object.values(part?.applets ?? {}).flatMap((a) => (a.type === 'hours' && a.schedule ? [a.schedule] : []))))];

function ProblemsList({ problems, onPick }: { problems: Problem[]; onPick: (p: Problem) => void }) {
  return (
    <section class="panel" aria-labelledby="problems-title">
      <header class="panel-head">
        <h2 id="problems-title">Checker</h2>
        <span class="muted small">
          {problems.filter((p) => p.severity === 'error').length} errors · {problems.filter((p) => p.severity === 'warning').length} warnings
        </span>
      </header>
      {problems.length === 0 ? (
        <p class="ok-note">No problems: every path ends in a terminal applet.</p>
      ) : (
        <ul class="problems" aria-label="Problems">
          {problems.map((p, i) => (
            <li key={i} class={`problem-${p.severity}-line`}>
              <span class={`badge ${p.severity === 'error' ? 'badge-bad' : 'badge-warn'}`}>{p.severity}</span>{' '}
              {p.applet ? (
                <button class="btn-link" onClick={() => onPick(p)}>
                  {p.channel} · {p.applet}
                </button>
              ) : (
                <span class="muted">{p.channel}</span>
              )}{' '}
              {p.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function JsonView({ draft, onApply }: { draft: FlowDocument; onApply: (d: FlowDocument) => void }) {
  const [text, setText] = useState(JSON.stringify(draft, null, 2));
  const [error, setError] = useState<string>();
  useEffect(() => setText(JSON.stringify(draft, null, 2)), [draft]);
  return (
    <div class="json-view">
      <label for="flow-json">The flow document (JSON)</label>
      <textarea id="flow-json" spellcheck={false} rows={24} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <div class="form-actions">
        <button
          class="btn btn-small"
          onClick={() => {
            try {
              const doc = JSON.parse(text) as FlowDocument;
              if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('the document must be a JSON object');
              setError(undefined);
              onApply(doc);
            } catch (err) {
              setError((err as Error).message);
            }
          }}
        >
          Apply to the draft
        </button>
      </div>
      {error && (
        <div class="error-note" role="alert">
          Not valid JSON: {error}
        </div>
      )}
    </div>
  );
}
