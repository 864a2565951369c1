// Who a dial rings, picked as a list (issue 20 item 2): users, groups and phone numbers, in ringing order,
// moved with buttons, added from one picker (which can also create a user or group on the spot). One entry
// is written as the single `user`, `group` or `number` a dial always had, so a document that had one opens
// and saves unchanged; two or more become `targets`.
import { useState } from 'preact/hooks';
import { E164 } from '../../lambdas/flows/applets';
import type { Group, User } from '../../lambdas/api-types';
import { NewPersonOptions, newPersonKind } from './pickers';

export type DialEntry = { user: string } | { group: string } | { number: string };

/** The dial's list as the form shows it: `targets`, or its single user, group or number. */
export function entriesOf(applet: Record<string, unknown>): DialEntry[] {
  if (Array.isArray(applet.targets)) return applet.targets as DialEntry[];
  if (typeof applet.user === 'string') return [{ user: applet.user }];
  if (typeof applet.group === 'string') return [{ group: applet.group }];
  if (typeof applet.number === 'string') return [{ number: applet.number }];
  return [];
}

/** The applet with `entries` written back: one as the single field, several as `targets`, none as nothing (the form says why). */
export function withEntries(applet: Record<string, unknown>, entries: DialEntry[]): Record<string, unknown> {
  const { user: _u, group: _g, number: _n, targets: _t, ...rest } = applet;
  if (entries.length === 0) return rest;
  if (entries.length === 1) return { ...rest, ...entries[0] };
  return { ...rest, targets: entries };
}

const keyOf = (e: DialEntry) => ('user' in e ? `user:${e.user}` : 'group' in e ? `group:${e.group}` : `number:${e.number}`);

export function entryName(e: DialEntry, users: User[], groups: Group[]): string {
  if ('user' in e) return users.find((u) => u.id === e.user)?.name ?? 'a user who no longer exists';
  if ('group' in e) {
    const g = groups.find((x) => x.id === e.group);
    return g ? `${g.name} (group)` : 'a group that no longer exists';
  }
  return e.number;
}

export interface DialTargetsProps {
  id: string;
  entries: DialEntry[];
  users: User[];
  groups: Group[];
  onChange: (entries: DialEntry[]) => void;
  /** Opens the dialog that creates a user or group; `then` gets the new one's id. */
  createPerson: (kind: 'user' | 'group', then: (id: string) => void) => void;
  /** What the API or the checker said about the list, if anything. */
  issue?: string;
}

export function DialTargets({ id, entries, users, groups, onChange, createPerson, issue }: DialTargetsProps) {
  const [typing, setTyping] = useState<string>();
  const [numberError, setNumberError] = useState<string>();
  const listed = new Set(entries.map(keyOf));
  const add = (e: DialEntry) => {
    if (!listed.has(keyOf(e))) onChange([...entries, e]);
  };
  const move = (from: number, to: number) => {
    const next = [...entries];
    const [x] = next.splice(from, 1);
    next.splice(to, 0, x);
    onChange(next);
  };
  const addNumber = () => {
    const n = (typing ?? '').replace(/[\s().-]/g, '');
    if (!E164.test(n)) {
      setNumberError('Use the international format with the country code, like +1 555 010 0009.');
      return;
    }
    if (listed.has(`number:${n}`)) {
      setNumberError(`${n} is already on the list.`);
      return;
    }
    setNumberError(undefined);
    setTyping(undefined);
    add({ number: n });
  };
  const describedBy = issue ? `${id}-error` : undefined;
  return (
    <fieldset class={`fieldset dial-targets${issue ? ' field-invalid' : ''}`} aria-describedby={describedBy}>
      <legend>Ring, in this order</legend>
      {entries.length === 0 ? (
        <p class="muted small">Nobody yet: add the people, groups or numbers this dial rings.</p>
      ) : (
        <ol class="target-list" aria-label="Ring, in this order">
          {entries.map((e, i) => {
            const name = entryName(e, users, groups);
            return (
              <li key={keyOf(e)} data-target={keyOf(e)}>
                <span class={`target-name${'number' in e ? ' mono' : ''}`} title={name}>
                  {name}
                </span>
                <button type="button" class="btn-icon" aria-label={`Move ${name} up`} disabled={i === 0} onClick={() => move(i, i - 1)}>
                  ↑
                </button>
                <button type="button" class="btn-icon" aria-label={`Move ${name} down`} disabled={i === entries.length - 1} onClick={() => move(i, i + 1)}>
                  ↓
                </button>
                <button type="button" class="btn-icon" aria-label={`Remove ${name}`} onClick={() => onChange(entries.filter((_, j) => j !== i))}>
                  ×
                </button>
              </li>
            );
          })}
        </ol>
      )}
      <div class="field">
        <label for={id}>Add to ring</label>
        <select
          id={id}
          value=""
          onChange={(ev) => {
            const select = ev.target as HTMLSelectElement;
            const v = select.value;
            select.value = '';
            const kind = newPersonKind(v);
            if (kind) return createPerson(kind, (newId) => add(kind === 'user' ? { user: newId } : { group: newId }));
            if (v === 'number:') return setTyping('');
            const [k, ref] = [v.slice(0, v.indexOf(':')), v.slice(v.indexOf(':') + 1)];
            if (k === 'user') add({ user: ref });
            else if (k === 'group') add({ group: ref });
          }}
        >
          <option value="">Choose someone to add…</option>
          {groups.some((g) => !listed.has(`group:${g.id}`)) && (
            <optgroup label="Groups">
              {groups
                .filter((g) => !listed.has(`group:${g.id}`))
                .map((g) => (
                  <option key={g.id} value={`group:${g.id}`}>
                    {g.name} ({g.members.length} {g.members.length === 1 ? 'member' : 'members'})
                  </option>
                ))}
            </optgroup>
          )}
          {users.some((u) => !listed.has(`user:${u.id}`)) && (
            <optgroup label="Users">
              {users
                .filter((u) => !listed.has(`user:${u.id}`))
                .map((u) => (
                  <option key={u.id} value={`user:${u.id}`}>
                    {u.name}
                  </option>
                ))}
            </optgroup>
          )}
          <option value="number:">A phone number…</option>
          <NewPersonOptions />
        </select>
      </div>
      {typing !== undefined && (
        <div class={`field${numberError ? ' field-invalid' : ''}`}>
          <label for={`${id}-number`}>Phone number to ring</label>
          <div class="inline-form">
            <input
              id={`${id}-number`}
              value={typing}
              placeholder="+15550100009"
              inputMode="tel"
              aria-invalid={numberError ? 'true' : undefined}
              aria-describedby={numberError ? `${id}-number-error` : undefined}
              onInput={(e) => setTyping((e.target as HTMLInputElement).value)}
              onKeyDown={(e) => {
                if (e.key === 'Enter') {
                  e.preventDefault();
                  addNumber();
                }
              }}
            />
            <button type="button" class="btn btn-small" onClick={addNumber}>
              Add number
            </button>
          </div>
          {numberError && (
            <span class="field-error" id={`${id}-number-error`}>
              {numberError}
            </span>
          )}
        </div>
      )}
      {issue && (
        <span class="field-error" id={describedBy}>
          {issue}
        </span>
      )}
    </fieldset>
  );
}
