// "Import from Studio" in the new-flow dialog (DESIGN.md section 18): a Studio flow pasted as JSON or picked
// from the Twilio account goes through `POST /api/flows/import`; the report says what each widget became or
// why it was not imported, the checker's problems show where the flow dead-ends, and a flow without errors
// is created (and, from the account, may take over the numbers its Studio flow answered).
import { useState } from 'preact/hooks';
import type { NumberRow, StudioFlowDetail, StudioFlowList, StudioImportAnswer, StudioImportEntry, StudioTakeOver } from '../../lambdas/api-types';
import { get, phonePath, send } from './api';
import { TargetSelect } from './pickers';
import { parseTarget } from './starters';
import { ErrorNote, LoadError, Loading, useAction, useApi } from './ui';
import type { Group, User } from '../../lambdas/api-types';

/** How the overview names applet types (passed in: the overview shows this form, so it cannot import it back). */
type Label = (type: string) => string;

type Source = 'paste' | 'account';

function entryResult(e: StudioImportEntry, label: Label): string {
  if (e.status === 'mapped') return e.as === 'start' ? 'Starts the flow' : `${label(e.as ?? '')} “${e.applet}”`;
  const standIn = e.standIn === 'hangup' ? ' A hang-up stands in its place.' : e.standIn === 'end' ? ' The text flow ends there.' : '';
  return `Not imported: ${e.reason}.${standIn}`;
}

export function StudioReport({ answer, label }: { answer: StudioImportAnswer; label: Label }) {
  const mapped = answer.report.filter((e) => e.status === 'mapped').length;
  const errors = answer.problems.filter((p) => p.severity === 'error');
  const warnings = answer.problems.filter((p) => p.severity === 'warning');
  return (
    <section class="studio-report" aria-label="Import report">
      <p>
        <strong>“{answer.document.name}”</strong>: {mapped} mapped, {answer.report.length - mapped} not imported.{' '}
        {errors.length ? <span class="bad-text">{errors.length} {errors.length === 1 ? 'error' : 'errors'} to fix before it can be created.</span> : 'Ready to create.'}
      </p>
      <div class="studio-report-scroll">
        <table class="table" id="studio-report">
          <thead>
            <tr>
              <th scope="col">Studio widget</th>
              <th scope="col">Part</th>
              <th scope="col">Became</th>
            </tr>
          </thead>
          <tbody>
            {answer.report.map((e, i) => (
              <tr key={i} data-widget={e.widget} data-status={e.status} class={e.status === 'not_imported' ? 'row-bad' : undefined}>
                <th scope="row">
                  {e.widget} <span class="muted">{e.type}</span>
                </th>
                <td>{e.channel ?? '—'}</td>
                <td>
                  {entryResult(e, label)}
                  {e.notes && (
                    <ul class="hint">
                      {e.notes.map((n, j) => (
                        <li key={j}>{n}</li>
                      ))}
                    </ul>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {answer.problems.length > 0 && (
        <ul class="studio-problems" aria-label="The checker’s problems">
          {[...errors, ...warnings].map((p, i) => (
            <li key={i} class={p.severity === 'error' ? 'bad-text' : 'muted'}>
              {p.severity === 'error' ? 'Error' : 'Warning'} ({p.channel}): {p.message}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** The import form, shown in the new-flow dialog in place of the starter form. */
export function StudioImport({ number, users, groups, label, onCreated, onBack }: {
  number?: NumberRow;
  users: User[];
  groups: Group[];
  label: Label;
  onCreated: (flowId: string) => void;
  onBack: () => void;
}) {
  const [source, setSource] = useState<Source>('paste');
  const [text, setText] = useState('');
  const [picked, setPicked] = useState('');
  const [mailbox, setMailbox] = useState('');
  const [takeOver, setTakeOver] = useState(false);
  const [result, setResult] = useState<{ answer: StudioImportAnswer; body: Record<string, unknown>; studio?: StudioFlowDetail }>();
  const account = useApi<StudioFlowList>(source === 'account' ? '/api/carrier/studio-flows' : null);
  const check = useAction();
  const create = useAction();
  const chosen = account.data?.flows.find((f) => f.sid === picked);

  const runCheck = () =>
    check.run(async () => {
      setResult(undefined);
      let definition: unknown;
      let studio: StudioFlowDetail | undefined;
      if (source === 'paste') {
        try {
          definition = JSON.parse(text);
        } catch (err) {
          throw new Error(`The pasted text is not JSON: ${(err as Error).message}`, { cause: err });
        }
      } else {
        studio = await get<StudioFlowDetail>(`/api/carrier/studio-flows/${encodeURIComponent(picked)}`);
        definition = studio.definition;
      }
      const target = parseTarget(mailbox);
      const body = { format: 'studio', definition, ...(studio && { name: studio.friendlyName }), ...(target && { mailbox: target }) };
      setResult({ answer: await send<StudioImportAnswer>('POST', '/api/flows/import', body), body, studio });
    });

  const hasErrors = !!result?.answer.problems.some((p) => p.severity === 'error');
  const runCreate = async () => {
    if (!result) return;
    const created = await create.run(async () => {
      const flow = await send<StudioImportAnswer>('POST', '/api/flows/import', { ...result.body, create: true });
      if (number) await send('PUT', `/api/numbers/${phonePath(number.number)}/flow`, { flowId: flow.id });
      if (takeOver && result.studio) await send<StudioTakeOver>('POST', `/api/carrier/studio-flows/${result.studio.sid}/take-over`, { flowId: flow.id });
      return flow;
    });
    if (created) onCreated(created.id!);
  };

  return (
    <form
      class="form"
      onSubmit={(e) => {
        e.preventDefault();
        void runCheck();
      }}
    >
      <fieldset class="segmented">
        <legend>Studio flow</legend>
        <label>
          <input type="radio" name="studio-source" checked={source === 'paste'} onChange={() => (setSource('paste'), setResult(undefined))} /> Paste its JSON
        </label>
        <label>
          <input type="radio" name="studio-source" checked={source === 'account'} onChange={() => (setSource('account'), setResult(undefined))} /> Pick from the Twilio account
        </label>
      </fieldset>
      {source === 'paste' ? (
        <>
          <label for="studio-json">Flow definition (Studio: the flow’s menu, “Export to JSON”)</label>
          <textarea id="studio-json" class="mono" rows={8} value={text} required onInput={(e) => (setText((e.target as HTMLTextAreaElement).value), setResult(undefined))} />
        </>
      ) : account.error ? (
        <LoadError error={account.error} what="the Twilio account’s Studio flows" retry={account.reload} />
      ) : !account.data ? (
        <Loading what="Studio flows" />
      ) : account.data.flows.length === 0 ? (
        <p class="empty">The Twilio account has no Studio flows.</p>
      ) : (
        <>
          <label for="studio-flow">Studio flow</label>
          <select id="studio-flow" value={picked} required onChange={(e) => (setPicked((e.target as HTMLSelectElement).value), setResult(undefined))}>
            <option value="">Choose…</option>
            {account.data.flows.map((f) => (
              <option key={f.sid} value={f.sid}>
                {f.friendlyName} ({f.status}){f.numbers.length ? ` — answers ${f.numbers.map((n) => n.number).join(', ')}` : ''}
              </option>
            ))}
          </select>
          {chosen && chosen.numbers.length > 0 && (
            <label class="check">
              <input type="checkbox" checked={takeOver} onChange={(e) => setTakeOver((e.target as HTMLInputElement).checked)} /> Move {chosen.numbers.map((n) => n.number).join(', ')} to the new flow (their calls and texts come here)
            </label>
          )}
        </>
      )}
      <label for="studio-mailbox">Voicemails go to</label>
      <TargetSelect id="studio-mailbox" value={mailbox} onChange={(v) => (setMailbox(v), setResult(undefined))} users={users} groups={groups} />
      <p class="hint">Without a mailbox, Studio’s record-voicemail widgets are not imported.</p>
      <ErrorNote error={check.error ?? create.error} />
      {result && <StudioReport answer={result.answer} label={label} />}
      <footer class="dialog-foot">
        <button type="button" class="btn btn-ghost" onClick={onBack}>
          Back
        </button>
        <button type="submit" class="btn" disabled={check.busy}>
          Check import
        </button>
        <button type="button" class="btn btn-primary" disabled={!result || hasErrors || create.busy} onClick={() => void runCreate()}>
          {number ? 'Create and assign' : 'Create flow'}
        </button>
      </footer>
    </form>
  );
}
