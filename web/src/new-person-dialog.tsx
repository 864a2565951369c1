// A user or a group created from inside the flow editor, in a dialog over the page (issue 20 item 1): a
// dial of two people no longer forces a trip to "Users & groups" that would leave the editor. The new one
// is picked where the dialog was opened from; the page's lists reload, the draft stays as it was.
import { useState } from 'preact/hooks';
import { ApiError, send } from './api';
import type { Group, User } from '../../lambdas/api-types';
import { Dialog, ErrorNote } from './ui';

export type PersonKind = 'user' | 'group';

/** The API's field issue for one field, shown on it. */
const issueOf = (error: unknown, field: string) => (error instanceof ApiError ? error.fields.find((f) => f.path === field || f.path.startsWith(`${field}.`))?.message : undefined);

function TextField({ id, label, value, set, error, field, placeholder, required = false, hint }: { id: string; label: string; value: string; set: (v: string) => void; error: unknown; field: string; placeholder?: string; required?: boolean; hint?: string }) {
  const issue = issueOf(error, field);
  return (
    <div class={`field${issue ? ' field-invalid' : ''}`}>
      <label for={id}>{label}</label>
      <input id={id} value={value} placeholder={placeholder} required={required} aria-invalid={issue ? 'true' : undefined} aria-describedby={issue ? `${id}-error` : undefined} onInput={(e) => set((e.target as HTMLInputElement).value)} />
      {hint && <span class="hint">{hint}</span>}
      {issue && (
        <span class="field-error" id={`${id}-error`}>
          {issue}
        </span>
      )}
    </div>
  );
}

export function NewPersonDialog({ kind, users, onClose, onCreated }: { kind: PersonKind; users: User[]; onClose: () => void; onCreated: (created: User | Group) => void }) {
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [client, setClient] = useState('');
  const [members, setMembers] = useState<string[]>([]);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const created =
        kind === 'user'
          ? await send<User>('POST', '/api/users', { name, ...(phone.trim() ? { phone: phone.replace(/[\s().-]/g, '') } : {}), ...(client.trim() ? { client: client.trim() } : {}) })
          : await send<Group>('POST', '/api/groups', { name, members });
      onCreated(created);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };
  const fieldIssues = error instanceof ApiError && error.fields.length > 0;
  return (
    <Dialog title={kind === 'user' ? 'New user' : 'New group'} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <TextField id="new-person-name" label="Name" value={name} set={setName} error={error} field="name" required placeholder={kind === 'user' ? 'Ann Example' : 'Sales'} />
        {kind === 'user' ? (
          <>
            <TextField id="new-person-phone" label="Mobile" value={phone} set={setPhone} error={error} field="phone" placeholder="+15550200001" hint="With the country code, like +1 555 020 0001." />
            <TextField id="new-person-client" label="Softphone client (optional)" value={client} set={setClient} error={error} field="client" placeholder="ann" />
          </>
        ) : (
          <fieldset class="fieldset">
            <legend>Members, in ring order</legend>
            {users.length === 0 && <p class="muted small">No users yet: create the group now and add people later.</p>}
            <ul class="check-list">
              {users.map((u) => (
                <li key={u.id}>
                  <label class="check">
                    <input type="checkbox" checked={members.includes(u.id)} onChange={(e) => setMembers((e.target as HTMLInputElement).checked ? [...members, u.id] : members.filter((m) => m !== u.id))} />
                    {u.name}
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
        )}
        {!fieldIssues && <ErrorNote error={error} />}
        <footer class="dialog-foot">
          <button type="button" class="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {kind === 'user' ? 'Create user' : 'Create group'}
          </button>
        </footer>
      </form>
    </Dialog>
  );
}
