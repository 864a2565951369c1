// Pickers for people and flows: real <select>s, never typed ids.
import type { Group, User } from '../../lambdas/api-types';

/** The choices a picker offers to create someone on the spot (`new:user`, `new:group`): see NewPersonDialog. */
export const NEW_PERSON = { user: 'new:user', group: 'new:group' } as const;
export const newPersonKind = (value: string) => (value === NEW_PERSON.user ? 'user' : value === NEW_PERSON.group ? 'group' : undefined);

export function NewPersonOptions() {
  return (
    <optgroup label="Someone new">
      <option value={NEW_PERSON.user}>+ New user…</option>
      <option value={NEW_PERSON.group}>+ New group…</option>
    </optgroup>
  );
}

export function TargetSelect({ id, value, onChange, users, groups, label, required = false, offerNew = false, invalid }: { id: string; value: string; onChange: (v: string) => void; users: User[]; groups: Group[]; label?: string; required?: boolean; offerNew?: boolean; invalid?: string }) {
  return (
    <select
      id={id}
      value={value}
      onChange={(e) => {
        const select = e.target as HTMLSelectElement;
        const v = select.value;
        // A "new" choice opens a dialog; the select keeps showing what is chosen until the new one exists.
        if (newPersonKind(v)) select.value = value;
        onChange(v);
      }}
      aria-label={label}
      required={required}
      aria-invalid={invalid ? 'true' : undefined}
      aria-describedby={invalid}
    >
      <option value="">{required ? 'Choose…' : '— None —'}</option>
      {groups.length > 0 && (
        <optgroup label="Groups">
          {groups.map((g) => (
            <option key={g.id} value={`group:${g.id}`}>
              {g.name} ({g.members.length} {g.members.length === 1 ? 'member' : 'members'})
            </option>
          ))}
        </optgroup>
      )}
      {users.length > 0 && (
        <optgroup label="Users">
          {users.map((u) => (
            <option key={u.id} value={`user:${u.id}`}>
              {u.name}
            </option>
          ))}
        </optgroup>
      )}
      {offerNew && <NewPersonOptions />}
    </select>
  );
}
