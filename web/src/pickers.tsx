// Pickers for people and flows: real <select>s, never typed ids.
import type { Group, User } from '../../lambdas/api-types';

export function TargetSelect({ id, value, onChange, users, groups, label, required = false }: { id: string; value: string; onChange: (v: string) => void; users: User[]; groups: Group[]; label?: string; required?: boolean }) {
  return (
    <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)} aria-label={label} required={required}>
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
    </select>
  );
}
