// "Invite a person" on Users & groups (DESIGN.md section 16): an admin adds a person with a role; the
// directory user and their account are created together (Cognito emails the invitation in AWS; locally
// the password is printed where `npm start -- --auth` runs).
import { useState } from 'preact/hooks';
import type { Role } from '../../lambdas/api-types';
import { send } from './api';
import { useMe } from './my-calls';
import { ErrorNote, useAction } from './ui';

const ROLE_LABELS: Record<Role, string> = { member: 'Member: own calls and availability', editor: 'Editor: flows, numbers, schedules', admin: 'Admin: everything, people included' };

export function InviteForm() {
  const me = useMe();
  const action = useAction();
  const [d, setD] = useState({ name: '', email: '', phone: '', role: 'member' as Role });
  const [done, setDone] = useState<string>();
  // Invitations are an admin's (the API says so too); an open local dashboard has no accounts to invite to.
  if (me?.role !== 'admin' || me.via === 'open') return null;
  const issue = (key: string) => (action.error as { fields?: Array<{ path: string; message: string }> } | undefined)?.fields?.find((f) => f.path === key);
  const input = (key: 'name' | 'email' | 'phone', label: string, placeholder: string) => {
    const bad = issue(key);
    return (
      <label>
        {label}
        <input
          id={`invite-${key}`}
          autocomplete="off"
          value={d[key]}
          placeholder={placeholder}
          required={key !== 'phone'}
          aria-invalid={bad ? 'true' : undefined}
          aria-describedby={bad ? `invite-${key}-error` : undefined}
          onInput={(e) => setD({ ...d, [key]: (e.target as HTMLInputElement).value })}
        />
        {bad && (
          <span class="field-error" id={`invite-${key}-error`}>
            {bad.message}
          </span>
        )}
      </label>
    );
  };
  return (
    <>
      <h3 class="form-title">Invite a person</h3>
      <form
        class="grid-form"
        aria-label="Invite a person"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { name: d.name.trim(), email: d.email.trim(), role: d.role, ...(d.phone.trim() && { phone: d.phone.trim() }) };
          const ok = await action.run(() => send('POST', '/api/invitations', body));
          if (ok) {
            setDone(`${body.name} is invited as ${body.role}: an email with a temporary password is on its way to ${body.email}.`);
            setD({ name: '', email: '', phone: '', role: 'member' });
          }
        }}
      >
        {input('name', 'Name', 'Dee Example')}
        {input('email', 'Email', 'dee@example.com')}
        {input('phone', 'Mobile', '+15550200004')}
        <label>
          Role
          <select id="invite-role" value={d.role} onChange={(e) => setD({ ...d, role: (e.target as HTMLSelectElement).value as Role })}>
            {(Object.keys(ROLE_LABELS) as Role[]).map((r) => (
              <option key={r} value={r}>
                {ROLE_LABELS[r]}
              </option>
            ))}
          </select>
        </label>
        <div class="form-actions">
          <button class="btn btn-primary" type="submit" disabled={action.busy}>
            Invite
          </button>
        </div>
        {done && !action.error && (
          <p role="status" class="muted small">
            {done}
          </p>
        )}
        <ErrorNote error={action.error && (action.error as { fields?: unknown[] }).fields?.length ? undefined : action.error} />
      </form>
    </>
  );
}
