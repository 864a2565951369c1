// Users and groups: list, create, edit; a group's order (sequential and round-robin ring in it) by
// drag and drop or by the up/down buttons; availability as a switch (an unavailable user is skipped).
import { useState } from 'preact/hooks';
import { send } from './api';
import type { Group, User } from '../../lambdas/api-types';
import { DeletePersonDialog } from './delete-person-dialog';
import { ErrorNote, LoadError, Loading, useAction, useApi } from './ui';
import { InviteForm } from './invite';

type UserDraft = { name: string; phone: string; client: string; email: string; available: boolean; role: NonNullable<User['role']> };
const draftOf = (u?: User): UserDraft => ({ name: u?.name ?? '', phone: u?.phone ?? '', client: u?.client ?? '', email: u?.email ?? '', available: u?.available ?? true, role: u?.role ?? 'member' });
/** Empty fields are left out: the API refuses an empty phone rather than treating it as none. A PUT replaces them all, role included. */
const bodyOf = (d: UserDraft) => ({
  name: d.name,
  available: d.available,
  ...(d.phone.trim() ? { phone: d.phone.trim() } : {}),
  ...(d.client.trim() ? { client: d.client.trim() } : {}),
  ...(d.email.trim() ? { email: d.email.trim() } : {}),
  ...(d.role !== 'member' ? { role: d.role } : {}),
});
const ROLE_NAMES: Record<UserDraft['role'], string> = { admin: 'Admin', editor: 'Editor', member: 'Member' };

function UserForm({ user, onDone }: { user?: User; onDone: () => void }) {
  const [d, setD] = useState(draftOf(user));
  const action = useAction();
  const field = (key: 'name' | 'phone' | 'client' | 'email', label: string, placeholder: string) => {
    const issue = (action.error as { fields?: Array<{ path: string; message: string }> } | undefined)?.fields?.find((f) => f.path === key);
    const id = `user-${user?.id ?? 'new'}-${key}`;
    return (
      <label>
        {label}
        <input
          id={id}
          value={d[key]}
          placeholder={placeholder}
          required={key === 'name'}
          aria-invalid={issue ? 'true' : undefined}
          aria-describedby={issue ? `${id}-error` : undefined}
          onInput={(e) => setD({ ...d, [key]: (e.target as HTMLInputElement).value })}
        />
        {issue && (
          <span class="field-error" id={`${id}-error`}>
            {issue.message}
          </span>
        )}
      </label>
    );
  };
  return (
    <form
      class="grid-form"
      aria-label={user ? `Edit ${user.name}` : 'New user'}
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await action.run(() => (user ? send('PUT', `/api/users/${user.id}`, bodyOf(d)) : send('POST', '/api/users', bodyOf(d))));
        if (ok) {
          if (!user) setD(draftOf());
          onDone();
        }
      }}
    >
      {field('name', 'Name', 'Ann Example')}
      {field('phone', 'Mobile', '+15550200001')}
      {field('client', 'Softphone client', 'ann')}
      {field('email', 'Email', 'ann@example.com')}
      <label>
        Role
        <select value={d.role} onChange={(e) => setD({ ...d, role: (e.target as HTMLSelectElement).value as UserDraft['role'] })}>
          {(Object.keys(ROLE_NAMES) as Array<UserDraft['role']>).map((r) => (
            <option key={r} value={r}>
              {ROLE_NAMES[r]}
            </option>
          ))}
        </select>
      </label>
      <label class="check">
        <input type="checkbox" checked={d.available} onChange={(e) => setD({ ...d, available: (e.target as HTMLInputElement).checked })} />
        Available
      </label>
      <div class="form-actions">
        <button class="btn btn-primary" type="submit" disabled={action.busy}>
          {user ? 'Save' : 'Add user'}
        </button>
        {user && (
          <button class="btn btn-ghost" type="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
      <ErrorNote error={action.error && (action.error as { fields?: unknown[] }).fields?.length ? undefined : action.error} />
    </form>
  );
}

/**
 * The PIN an editor or admin ends a text with to close or open a schedule (DESIGN.md section 15): sent once,
 * stored hashed, never shown again.
 */
function PinForm({ u, onDone }: { u: User; onDone: () => void }) {
  const [pin, setPin] = useState('');
  const action = useAction();
  const issue = (action.error as { fields?: Array<{ path: string; message: string }> } | undefined)?.fields?.find((f) => f.path === 'pin');
  return (
    <form
      class="inline-form"
      aria-label={`Override PIN for ${u.name}`}
      onSubmit={async (e) => {
        e.preventDefault();
        // A 204 answers nothing: success is the write not failing.
        let saved = false;
        await action.run(async () => {
          await send('PUT', `/api/users/${u.id}/pin`, { pin });
          saved = true;
        });
        if (saved) onDone();
      }}
    >
      <label class="sr-only" for={`pin-${u.id}`}>
        New PIN for {u.name}
      </label>
      <input id={`pin-${u.id}`} type="password" inputMode="numeric" autoComplete="new-password" placeholder="4-12 digits" value={pin} aria-invalid={issue ? 'true' : undefined} onInput={(e) => setPin((e.target as HTMLInputElement).value)} />
      <button class="btn btn-small" type="submit" disabled={action.busy}>
        Set PIN
      </button>
      {u.hasPin && (
        <button
          class="btn btn-small btn-ghost"
          type="button"
          disabled={action.busy}
          onClick={async () => {
            let removed = false;
            await action.run(async () => {
              await send('DELETE', `/api/users/${u.id}/pin`);
              removed = true;
            });
            if (removed) onDone();
          }}
        >
          Remove PIN
        </button>
      )}
      <button class="btn btn-small btn-ghost" type="button" onClick={onDone}>
        Cancel
      </button>
      {issue && <span class="field-error">{issue.message}</span>}
      <ErrorNote error={issue ? undefined : action.error} />
    </form>
  );
}

function UserRow({ u, users, groups }: { u: User; users: User[]; groups: Group[] }) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [pinning, setPinning] = useState(false);
  const toggle = useAction();
  if (editing)
    return (
      <tr>
        <td colSpan={7}>
          <UserForm user={u} onDone={() => setEditing(false)} />
        </td>
      </tr>
    );
  return (
    <tr data-user={u.id} class={u.available ? '' : 'row-muted'}>
      <th scope="row">{u.name}</th>
      <td class="mono">{u.phone ?? '—'}</td>
      <td class="mono">{u.client ?? '—'}</td>
      <td>{u.email ?? '—'}</td>
      <td>
        {ROLE_NAMES[u.role ?? 'member']}
        {u.hasPin && <span class="badge badge-neutral"> PIN</span>}
        {(u.role === 'editor' || u.role === 'admin') &&
          (pinning ? (
            <PinForm u={u} onDone={() => setPinning(false)} />
          ) : (
            <button class="btn-link" onClick={() => setPinning(true)}>
              {u.hasPin ? 'Change PIN' : 'Set PIN'}
            </button>
          ))}
      </td>
      <td>
        <label class="switch">
          <input
            type="checkbox"
            role="switch"
            checked={u.available}
            disabled={toggle.busy}
            aria-label={`${u.name} is available`}
            onChange={(e) => void toggle.run(() => send('PUT', `/api/users/${u.id}`, { ...bodyOf(draftOf(u)), available: (e.target as HTMLInputElement).checked }))}
          />
          <span>{u.available ? 'Available' : 'Away'}</span>
        </label>
        <ErrorNote error={toggle.error} />
      </td>
      <td class="actions">
        <button class="btn btn-small" onClick={() => setEditing(true)}>
          Edit
        </button>
        <button class="btn btn-small btn-ghost" onClick={() => setDeleting(true)}>
          Delete
        </button>
        {deleting && <DeletePersonDialog subject={{ kind: 'user', user: u }} users={users} groups={groups} onClose={() => setDeleting(false)} />}
      </td>
    </tr>
  );
}

function GroupEditor({ group, users, onDone }: { group?: Group; users: User[]; onDone: () => void }) {
  const [name, setName] = useState(group?.name ?? '');
  const [members, setMembers] = useState<string[]>(group?.members ?? []);
  const [adding, setAdding] = useState('');
  const [dragged, setDragged] = useState<number>();
  const action = useAction();
  const nameOf = (id: string) => users.find((u) => u.id === id)?.name ?? id;
  const move = (from: number, to: number) => {
    if (to < 0 || to >= members.length) return;
    const next = [...members];
    const [m] = next.splice(from, 1);
    next.splice(to, 0, m);
    setMembers(next);
  };
  const id = group?.id ?? 'new';
  return (
    <form
      class="group-editor"
      aria-label={group ? `Edit group ${group.name}` : 'New group'}
      onSubmit={async (e) => {
        e.preventDefault();
        const ok = await action.run(() => (group ? send('PUT', `/api/groups/${group.id}`, { name, members }) : send('POST', '/api/groups', { name, members })));
        if (ok) {
          if (!group) {
            setName('');
            setMembers([]);
          }
          onDone();
        }
      }}
    >
      <label>
        Group name
        <input value={name} required onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </label>
      <p class="muted small">Ring order (sequential and round-robin dials follow it). Drag a member, or use the arrows.</p>
      <ol class="members" aria-label="Members in ring order">
        {members.map((m, i) => (
          <li
            key={m}
            draggable
            class={dragged === i ? 'dragging' : ''}
            onDragStart={(e) => (setDragged(i), e.dataTransfer?.setData('text/plain', String(i)))}
            onDragOver={(e) => e.preventDefault()}
            onDrop={(e) => {
              e.preventDefault();
              if (dragged !== undefined) move(dragged, i);
              setDragged(undefined);
            }}
            onDragEnd={() => setDragged(undefined)}
          >
            <span class="grip" aria-hidden="true">
              ⋮⋮
            </span>
            <span class="member-name">{nameOf(m)}</span>
            <button type="button" class="btn-icon" aria-label={`Move ${nameOf(m)} up`} disabled={i === 0} onClick={() => move(i, i - 1)}>
              ↑
            </button>
            <button type="button" class="btn-icon" aria-label={`Move ${nameOf(m)} down`} disabled={i === members.length - 1} onClick={() => move(i, i + 1)}>
              ↓
            </button>
            <button type="button" class="btn-icon" aria-label={`Remove ${nameOf(m)}`} onClick={() => setMembers(members.filter((x) => x !== m))}>
              ×
            </button>
          </li>
        ))}
      </ol>
      <div class="inline-form">
        <label class="sr-only" for={`add-member-${id}`}>
          Add a member
        </label>
        <select id={`add-member-${id}`} value={adding} onChange={(e) => setAdding((e.target as HTMLSelectElement).value)}>
          <option value="">Add a member…</option>
          {users
            .filter((u) => !members.includes(u.id))
            .map((u) => (
              <option key={u.id} value={u.id}>
                {u.name}
              </option>
            ))}
        </select>
        <button type="button" class="btn btn-small" disabled={!adding} onClick={() => (setMembers([...members, adding]), setAdding(''))}>
          Add
        </button>
      </div>
      <div class="form-actions">
        <button class="btn btn-primary" type="submit" disabled={action.busy}>
          {group ? 'Save group' : 'Create group'}
        </button>
        {group && (
          <button class="btn btn-ghost" type="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
      <ErrorNote error={action.error} />
    </form>
  );
}

function GroupCard({ g, users, groups }: { g: Group; users: User[]; groups: Group[] }) {
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  return (
    <li class="card" data-group={g.id}>
      {editing ? (
        <GroupEditor group={g} users={users} onDone={() => setEditing(false)} />
      ) : (
        <>
          <header class="card-head">
            <h3>{g.name}</h3>
            <div>
              <button class="btn btn-small" onClick={() => setEditing(true)}>
                Edit
              </button>
              <button class="btn btn-small btn-ghost" onClick={() => setDeleting(true)}>
                Delete
              </button>
              {deleting && <DeletePersonDialog subject={{ kind: 'group', group: g }} users={users} groups={groups} onClose={() => setDeleting(false)} />}
            </div>
          </header>
          <ol class="members readonly">
            {g.members.map((m) => {
              const u = users.find((x) => x.id === m);
              return (
                <li key={m} class={u && !u.available ? 'row-muted' : ''}>
                  {u?.name ?? m}
                  {u && !u.available && <span class="muted small"> (away)</span>}
                </li>
              );
            })}
            {g.members.length === 0 && <li class="muted">No members: a dial to this group goes straight to its noAnswer branch.</li>}
          </ol>
        </>
      )}
    </li>
  );
}

export function People() {
  const users = useApi<{ users: User[] }>('/api/users');
  const groups = useApi<{ groups: Group[] }>('/api/groups');
  const list = users.data?.users ?? [];
  return (
    <>
      <section class="panel" aria-labelledby="users-title">
        <header class="panel-head">
          <h2 id="users-title">Users</h2>
        </header>
        {users.error ? (
          <LoadError error={users.error} what="the users" retry={users.reload} />
        ) : !users.data ? (
          <Loading what="users" />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Mobile</th>
                <th scope="col">Client</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Availability</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <UserRow key={u.id} u={u} users={list} groups={groups.data?.groups ?? []} />
              ))}
            </tbody>
          </table>
        )}
        <InviteForm />
        <h3 class="form-title">Add a user</h3>
        <UserForm onDone={() => undefined} />
      </section>
      <section class="panel" aria-labelledby="groups-title">
        <header class="panel-head">
          <h2 id="groups-title">Groups</h2>
        </header>
        {groups.error ? (
          <LoadError error={groups.error} what="the groups" retry={groups.reload} />
        ) : !groups.data ? (
          <Loading what="groups" />
        ) : (
          <ul class="cards">
            {groups.data.groups.map((g) => (
              <GroupCard key={g.id} g={g} users={list} groups={groups.data?.groups ?? []} />
            ))}
          </ul>
        )}
        <h3 class="form-title">New group</h3>
        <GroupEditor users={list} onDone={() => undefined} />
      </section>
    </>
  );
}
