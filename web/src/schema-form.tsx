// An applet's settings as a form generated from the flow schema (its JSON Schema, made from the zod
// schema at build time): every property becomes a control by its type — enums as selects, booleans as
// checkboxes, integers with their bounds, nested objects and lists as fieldsets — and the fields that
// name something are pickers: branches pick an applet of the part, users, groups, mailboxes, flows and
// time zones are chosen from lists, never typed as ids.
import type { ComponentChildren } from 'preact';
import { DialTargets, entriesOf, withEntries } from './dial-targets';
import { ClosureList, WeeklyHours } from './hours-editor';
import { VoicePicker } from './voice-picker';
import { TargetSelect, newPersonKind } from './pickers';
import { parseTarget } from './starters';
import type { FlowRow, Group, ScheduleView, User } from '../../lambdas/api-types';
import type { Applet } from './types';

export interface JsonSchema {
  type?: string;
  const?: unknown;
  enum?: string[];
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema | JsonSchema[];
  prefixItems?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export interface FormContext {
  appletId: string;
  applet: Applet;
  /** Other applets of the part, for branch pickers. */
  appletIds: string[];
  users: User[];
  groups: Group[];
  flows: FlowRow[];
  /** Shared schedules, for an hours applet that names one instead of its own hours. */
  schedules: ScheduleView[];
  flowId: string;
  /** Fields the API or the checker named, by dotted path inside the applet. */
  issues: Record<string, string>;
  /** Applet types of the part, offered as "new applet" targets of a branch. */
  appletTypes: readonly string[];
  connectNew: (path: Path, type: string) => void;
  /** Opens the dialog that creates a user or group; `then` gets the new one's id. */
  createPerson: (kind: 'user' | 'group', then: (id: string) => void) => void;
}

type Path = Array<string | number>;
type Set = (path: Path, value: unknown) => void;

const LABELS: Record<string, string> = {
  next: 'Next', open: 'When open', closed: 'When closed', fallback: 'After failed attempts', noAnswer: 'When nobody answers',
  otherwise: 'Otherwise', prompt: 'Prompt', invalidPrompt: 'Invalid-key prompt', timeoutSeconds: 'Seconds to wait for a key',
  ringSeconds: 'Ring seconds', perRound: 'Members rung per round', callerId: 'Caller ID shown', maxSeconds: 'Maximum length (seconds)',
  transcribe: 'Transcribe', notify: 'Notify members', screen: 'Screen (press 1 to accept)', record: 'Record the call',
  sticky: 'Ring the last member who answered first', timezone: 'Time zone', weekly: 'Opening hours', closures: 'Closed days',
  override: 'Override', loop: 'Times to play', attempts: 'Attempts', strategy: 'Ring strategy', mailbox: 'Mailbox', flow: 'Flow',
  to: 'Forward to', text: 'Text', media: 'Media URLs (one per line)', numbers: 'Caller numbers (comma-separated)',
  prefixes: 'Number prefixes (comma-separated)', anonymous: 'Withheld numbers', keywords: 'Keywords (comma-separated)', rules: 'Rules',
  voice: 'Voice', language: 'Language', play: 'Audio URL (https)', date: 'Date (YYYY-MM-DD or --MM-DD)', name: 'Name', state: 'State', until: 'Until (ISO time)',
  options: 'Keys', label: 'Label (shown on the diagram)', announce: 'Announcement to whoever answers ({number} = the called number\'s name)',
  recordingNotice: 'Recording notice (the caller hears it before a recorded dial)',
  hold: 'Hold prompt or music (looped)', announceEverySeconds: 'Say the position every (seconds, 0 = never)',
  maxWaitSeconds: 'Longest wait (seconds), then timeout', timeout: 'When nobody takes the call',
};
const labelOf = (key: string) => LABELS[key] ?? key.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase());

export const isBranchSchema = (s: JsonSchema) => !!s.anyOf?.some((o) => o.const === '') && !!s.anyOf?.some((o) => o.pattern);
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', '*', '#'];

/** What an hours applet gets when it stops naming a schedule: office hours in the browser's time zone. */
const OWN_HOURS = () => ({
  timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC',
  weekly: { mon: [['09:00', '17:00']], tue: [['09:00', '17:00']], wed: [['09:00', '17:00']], thu: [['09:00', '17:00']], fri: [['09:00', '17:00']], sat: [], sun: [] },
});

let zones: string[] | undefined;
const timeZones = () => (zones ??= (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.('timeZone') ?? ['UTC', 'America/New_York', 'Europe/London']);

function getIn(obj: unknown, path: Path): unknown {
  return path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string | number, unknown>)[k] : undefined), obj);
}

export function setIn<T>(obj: T, path: Path, value: unknown): T {
  if (path.length === 0) return value as T;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(obj) ? [...obj] : { ...(obj as object) }; // eslint-disable-line @typescript-eslint/no-explicit-any -- a copy of any object or array, indexed by one path segment (a key or an index)
  const next = setIn(copy[head], rest, value);
  if (next === undefined && !Array.isArray(copy)) delete copy[head];
  else copy[head] = next;
  return copy;
}

const fieldId = (ctx: FormContext, path: Path) => `f-${ctx.appletId}-${path.join('-')}`.replace(/[^A-Za-z0-9_-]/g, '_');

function Field({ ctx, path, label, children, hint }: { ctx: FormContext; path: Path; label: string; children: ComponentChildren; hint?: string }) {
  const issue = ctx.issues[path.join('.')];
  return (
    <div class={`field${issue ? ' field-invalid' : ''}`}>
      <label for={fieldId(ctx, path)}>{label}</label>
      {children}
      {hint && <span class="hint">{hint}</span>}
      {issue && (
        <span class="field-error" id={`${fieldId(ctx, path)}-error`}>
          {issue}
        </span>
      )}
    </div>
  );
}

const aria = (ctx: FormContext, path: Path) => {
  const issue = ctx.issues[path.join('.')];
  return { id: fieldId(ctx, path), 'aria-invalid': issue ? ('true' as const) : undefined, 'aria-describedby': issue ? `${fieldId(ctx, path)}-error` : undefined };
};

function BranchPicker({ ctx, path, value, set, label }: { ctx: FormContext; path: Path; value: unknown; set: Set; label: string }) {
  return (
    <Field ctx={ctx} path={path} label={label}>
      <select
        {...aria(ctx, path)}
        class="branch-picker"
        value={(value as string) ?? ''}
        onChange={(e) => {
          const v = (e.target as HTMLSelectElement).value;
          if (v.startsWith('new:')) ctx.connectNew(path, v.slice(4));
          else set(path, v || undefined);
        }}
      >
        <option value="">— not set (dead end) —</option>
        <optgroup label="Applets">
          {ctx.appletIds
            .filter((id) => id !== ctx.appletId)
            .map((id) => (
              <option key={id} value={id}>
                {id}
              </option>
            ))}
        </optgroup>
        <optgroup label="New applet">
          {ctx.appletTypes.map((t) => (
            <option key={t} value={`new:${t}`}>
              + new {t}
            </option>
          ))}
        </optgroup>
      </select>
    </Field>
  );
}

function listText(v: unknown, sep: string) {
  return Array.isArray(v) ? v.join(sep) : '';
}
function parseList(s: string, sep: RegExp) {
  const items = s.split(sep).map((x) => x.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

/** One property of an object schema. */
function Property({ ctx, name, schema, value, path, set, required }: { ctx: FormContext; name: string; schema: JsonSchema; value: unknown; path: Path; set: Set; required: boolean }) {
  const top = path.length === 1;
  if (name === 'type' && schema.const !== undefined) return null;
  if (isBranchSchema(schema)) return <BranchPicker ctx={ctx} path={path} value={value} set={set} label={labelOf(name)} />;

  // Who a dial rings is one list control (dial-targets.tsx) instead of four fields: user, group, number, targets.
  if (top && ctx.applet.type === 'dial' && (name === 'group' || name === 'number' || name === 'targets')) return null;
  if (top && ctx.applet.type === 'dial' && name === 'user') {
    const a = ctx.applet as Record<string, unknown>;
    const entries = entriesOf(a);
    const apiIssue = Object.entries(ctx.issues).find(([k]) => k === 'user' || k === 'number' || k === 'targets' || k.startsWith('targets.'))?.[1];
    return (
      <DialTargets
        id={fieldId(ctx, ['targets'])}
        entries={entries}
        users={ctx.users}
        groups={ctx.groups}
        onChange={(next) => set([], withEntries(a, next))}
        createPerson={ctx.createPerson}
        issue={entries.length === 0 ? 'Add at least one person, group or phone number to ring.' : apiIssue}
      />
    );
  }
  // A strategy orders a list: a group's members, or several targets.
  if (top && ctx.applet.type === 'dial' && (name === 'strategy' || name === 'perRound' || name === 'sticky') && !(ctx.applet as Record<string, unknown>).group && !(ctx.applet as Record<string, unknown>).targets) return null;

  // Hours: a shared schedule or the applet's own hours (the API takes one or the other, never both).
  if (top && ctx.applet.type === 'hours' && name === 'schedule') {
    const a = ctx.applet as Record<string, unknown>;
    const choose = (v: string) => {
      const { schedule: _s, timezone: _t, weekly: _w, closures: _c, override: _o, ...rest } = a;
      set([], v ? { ...rest, schedule: v } : { ...rest, ...OWN_HOURS() });
    };
    return (
      <Field ctx={ctx} path={path} label="Hours from" hint={a.schedule ? 'Edit the schedule, its holidays and its override on the Schedules page.' : undefined}>
        <select {...aria(ctx, path)} value={(value as string) ?? ''} onChange={(e) => choose((e.target as HTMLSelectElement).value)}>
          <option value="">This applet's own hours (below)</option>
          <optgroup label="Shared schedules">
            {ctx.schedules.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name}
              </option>
            ))}
            {typeof value === 'string' && value && !ctx.schedules.some((s) => s.id === value) && <option value={value}>{value} (unknown)</option>}
          </optgroup>
        </select>
      </Field>
    );
  }
  if (top && ctx.applet.type === 'hours' && (ctx.applet as Record<string, unknown>).schedule && ['timezone', 'weekly', 'closures', 'override'].includes(name)) return null;

  // A voicemail tells its people by text, by email, or both: two checkboxes, whatever form the document holds.
  if (top && ctx.applet.type === 'voicemail' && name === 'notify') {
    const on = typeof value === 'object' && value ? (value as { sms?: boolean; email?: boolean }) : { sms: value === true, email: false };
    const choose = (channel: 'sms' | 'email', checked: boolean) => {
      const next = { sms: on.sms === true, email: on.email === true, [channel]: checked };
      set(path, next.sms || next.email ? next : false);
    };
    return (
      <fieldset class="fieldset">
        <legend>Tell the mailbox's members of a new message</legend>
        {(['sms', 'email'] as const).map((channel) => (
          <label key={channel} class="check">
            <input type="checkbox" id={fieldId(ctx, [...path, channel])} checked={on[channel] === true} onChange={(e) => choose(channel, (e.target as HTMLInputElement).checked)} />{' '}
            {channel === 'sms' ? 'By text (members with a phone)' : 'By email (members with an address): caller, number, length, transcript, a link here'}
          </label>
        ))}
      </fieldset>
    );
  }

  // A queue's targets: who is offered its callers, each a user or group picked from the lists.
  if (top && ctx.applet.type === 'queue' && name === 'targets') {
    const list = (Array.isArray(value) ? value : []) as Array<{ user?: string; group?: string }>;
    const asValue = (t: { user?: string; group?: string }) => (t.user ? `user:${t.user}` : t.group ? `group:${t.group}` : '');
    return (
      <fieldset class="fieldset">
        <legend>Offered to (users and groups; up to 10)</legend>
        {list.map((t, i) => (
          <div key={i} class="row">
            <TargetSelect id={fieldId(ctx, [...path, i])} label={`Target ${i + 1}`} required value={asValue(t)} users={ctx.users} groups={ctx.groups}
              onChange={(v) => set([...path, i], parseTarget(v) ?? { group: '' })} />
            <button type="button" class="btn btn-small" aria-label={`Remove target ${i + 1}`} onClick={() => set(path, list.filter((_, j) => j !== i))}>Remove</button>
          </div>
        ))}
        {list.length < 10 && (
          <button type="button" class="btn btn-small" onClick={() => set(path, [...list, { group: '' }])}>Add a user or group</button>
        )}
      </fieldset>
    );
  }

  if (name === 'mailbox') {
    const m = (value ?? {}) as { user?: string; group?: string };
    return (
      <Field ctx={ctx} path={path} label={labelOf(name)}>
        <TargetSelect
          id={fieldId(ctx, path)}
          required
          offerNew
          value={m.user ? `user:${m.user}` : m.group ? `group:${m.group}` : ''}
          onChange={(v) => {
            const kind = newPersonKind(v);
            if (kind) ctx.createPerson(kind, (id) => set(path, kind === 'user' ? { user: id } : { group: id }));
            else set(path, parseTarget(v) ?? { group: '' });
          }}
          users={ctx.users}
          groups={ctx.groups}
        />
      </Field>
    );
  }
  if (name === 'flow' && top) {
    return (
      <Field ctx={ctx} path={path} label="Continue in flow">
        <select {...aria(ctx, path)} value={(value as string) ?? ''} onChange={(e) => set(path, (e.target as HTMLSelectElement).value)}>
          <option value="">Choose a flow…</option>
          {ctx.flows
            .filter((f) => f.id !== ctx.flowId)
            .map((f) => (
              <option key={f.id} value={f.id}>
                {f.name}
              </option>
            ))}
        </select>
      </Field>
    );
  }
  if (name === 'timezone') {
    return (
      <Field ctx={ctx} path={path} label={labelOf(name)}>
        <select {...aria(ctx, path)} value={(value as string) ?? ''} onChange={(e) => set(path, (e.target as HTMLSelectElement).value)}>
          {!timeZones().includes(value as string) && <option value={(value as string) ?? ''}>{(value as string) || 'Choose…'}</option>}
          {timeZones().map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </Field>
    );
  }
  // A spoken prompt's voice and language: one picker of the pairs Twilio accepts (voice-picker.tsx).
  if (name === 'language' && path.length > 1) return null;
  if (name === 'voice' && path.length > 1) {
    const prompt = (getIn(ctx.applet, path.slice(0, -1)) ?? {}) as { voice?: string; language?: string };
    const at = path.slice(0, -1);
    return (
      <VoicePicker
        id={fieldId(ctx, path)}
        voice={prompt.voice}
        language={prompt.language}
        issue={ctx.issues[[...at, 'language'].join('.')] ?? ctx.issues[path.join('.')]}
        onChange={(voice, language) => set(at, { ...prompt, voice, language })}
      />
    );
  }
  if (name === 'weekly' || name === 'closures') {
    const issueAt = (sub: string) => ctx.issues[[...path, sub].join('.')];
    return name === 'weekly' ? (
      <WeeklyHours id={fieldId(ctx, path)} value={value} onChange={(w) => set(path, w)} issues={issueAt} />
    ) : (
      <ClosureList id={fieldId(ctx, path)} value={value} onChange={(c) => set(path, c)} issues={issueAt} />
    );
  }
  if (name === 'options' && ctx.applet.type === 'menu') {
    const o = (value ?? {}) as Record<string, string>;
    const free = KEYS.filter((k) => !(k in o));
    return (
      <fieldset class="fieldset">
        <legend>{labelOf(name)}</legend>
        {Object.keys(o).map((k) => (
          <div class="row" key={k}>
            <BranchPicker ctx={ctx} path={[...path, k]} value={o[k]} set={set} label={`Press ${k}`} />
            <button type="button" class="btn-icon" aria-label={`Remove key ${k}`} onClick={() => set([...path, k], undefined)}>
              ×
            </button>
          </div>
        ))}
        {free.length > 0 && (
          <div class="row">
            <label class="sr-only" for={`${fieldId(ctx, path)}-add`}>
              Add a key
            </label>
            <select id={`${fieldId(ctx, path)}-add`} value="" onChange={(e) => (e.target as HTMLSelectElement).value && set([...path, (e.target as HTMLSelectElement).value], '')}>
              <option value="">Add a key…</option>
              {free.map((k) => (
                <option key={k} value={k}>
                  {k}
                </option>
              ))}
            </select>
          </div>
        )}
      </fieldset>
    );
  }
  return <Value ctx={ctx} name={name} schema={schema} value={value} path={path} set={set} required={required} />;
}

function Value({ ctx, name, schema, value, path, set, required }: { ctx: FormContext; name: string; schema: JsonSchema; value: unknown; path: Path; set: Set; required: boolean }) {
  // A union of object shapes (a prompt: spoken text or a played URL): pick the shape, then its fields.
  if (schema.anyOf && schema.anyOf.every((o) => o.type === 'object')) {
    const shapes = schema.anyOf;
    const index = Math.max(0, shapes.findIndex((s) => Object.keys((value as object) ?? {}).some((k) => s.required?.includes(k))));
    const kinds = shapes.map((s) => (s.required?.includes('play') ? 'Play audio' : s.required?.includes('text') ? 'Speak text' : s.required?.[0] ? labelOf(s.required[0]) : 'Other'));
    const present = value !== undefined;
    return (
      <fieldset class="fieldset">
        <legend>{labelOf(name)}</legend>
        <div class="radios" role="radiogroup" aria-label={`${labelOf(name)} kind`}>
          {!required && (
            <label>
              <input type="radio" name={fieldId(ctx, path)} checked={!present} onChange={() => set(path, undefined)} /> None
            </label>
          )}
          {kinds.map((k, i) => (
            <label key={k}>
              <input type="radio" name={fieldId(ctx, path)} checked={present && index === i} onChange={() => set(path, Object.fromEntries((shapes[i].required ?? []).map((r) => [r, ''])))} /> {k}
            </label>
          ))}
        </div>
        {present && <ObjectFields ctx={ctx} schema={shapes[index]} value={value} path={path} set={set} />}
      </fieldset>
    );
  }
  if (schema.type === 'object' && schema.properties) {
    const present = value !== undefined;
    return (
      <fieldset class="fieldset">
        <legend>{labelOf(name)}</legend>
        {!required && (
          <label class="check">
            <input
              type="checkbox"
              checked={present}
              onChange={(e) => set(path, (e.target as HTMLInputElement).checked ? Object.fromEntries((schema.required ?? []).map((r) => [r, schema.properties![r]?.enum?.[0] ?? ''])) : undefined)}
            />
            Use {labelOf(name).toLowerCase()}
          </label>
        )}
        {present && <ObjectFields ctx={ctx} schema={schema} value={value} path={path} set={set} />}
      </fieldset>
    );
  }
  if (schema.type === 'array') {
    const items = (Array.isArray(schema.items) ? schema.items[0] : schema.items) ?? {};
    if (items.type === 'object') {
      const list = (value as unknown[]) ?? [];
      return (
        <fieldset class="fieldset">
          <legend>{labelOf(name)}</legend>
          {list.map((item, i) => (
            <div class="list-item" key={i}>
              <div class="list-item-head">
                <strong>
                  {labelOf(name).replace(/s$/, '')} {i + 1}
                </strong>
                <button type="button" class="btn-link" onClick={() => set(path, list.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </div>
              <ObjectFields ctx={ctx} schema={items} value={item} path={[...path, i]} set={set} />
            </div>
          ))}
          <button type="button" class="btn btn-small" onClick={() => set(path, [...list, Object.fromEntries((items.required ?? []).map((r) => [r, items.properties?.[r]?.type === 'array' ? [] : '']))])}>
            Add {labelOf(name).replace(/s$/, '').toLowerCase()}
          </button>
        </fieldset>
      );
    }
    const multiline = name === 'media';
    return (
      <Field ctx={ctx} path={path} label={labelOf(name)}>
        {multiline ? (
          <textarea {...aria(ctx, path)} rows={2} value={listText(value, '\n')} onChange={(e) => set(path, parseList((e.target as HTMLTextAreaElement).value, /\n/))} />
        ) : (
          <input {...aria(ctx, path)} value={listText(value, ', ')} onChange={(e) => set(path, parseList((e.target as HTMLInputElement).value, /,/))} />
        )}
      </Field>
    );
  }
  if (schema.enum) {
    return (
      <Field ctx={ctx} path={path} label={labelOf(name)}>
        <select {...aria(ctx, path)} value={(value as string) ?? (schema.default as string) ?? ''} onChange={(e) => set(path, (e.target as HTMLSelectElement).value)}>
          {schema.enum.map((v) => (
            <option key={v} value={v}>
              {v}
              {v === schema.default ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </Field>
    );
  }
  if (schema.type === 'boolean') {
    return (
      <div class="field">
        <label class="check">
          <input {...aria(ctx, path)} type="checkbox" checked={(value as boolean) ?? (schema.default as boolean) ?? false} onChange={(e) => set(path, (e.target as HTMLInputElement).checked)} />
          {labelOf(name)}
        </label>
      </div>
    );
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    return (
      <Field ctx={ctx} path={path} label={labelOf(name)} hint={schema.minimum !== undefined ? `${schema.minimum}–${schema.maximum}` : undefined}>
        <input
          {...aria(ctx, path)}
          type="number"
          min={schema.minimum}
          max={schema.maximum}
          placeholder={schema.default !== undefined ? String(schema.default) : undefined}
          value={value === undefined ? '' : String(value)}
          onInput={(e) => {
            const v = (e.target as HTMLInputElement).value;
            set(path, v === '' ? undefined : Number(v));
          }}
        />
      </Field>
    );
  }
  const long = (schema.maxLength ?? 0) >= 1000 && name !== 'play';
  return (
    <Field ctx={ctx} path={path} label={labelOf(name)}>
      {long ? (
        <textarea {...aria(ctx, path)} rows={2} value={(value as string) ?? ''} onInput={(e) => set(path, (e.target as HTMLTextAreaElement).value)} />
      ) : (
        <input {...aria(ctx, path)} value={(value as string) ?? ''} onInput={(e) => set(path, (e.target as HTMLInputElement).value || (required ? '' : undefined))} />
      )}
    </Field>
  );
}

function ObjectFields({ ctx, schema, value, path, set }: { ctx: FormContext; schema: JsonSchema; value: unknown; path: Path; set: Set }) {
  const v = (value ?? {}) as Record<string, unknown>;
  return (
    <>
      {Object.entries(schema.properties ?? {}).map(([k, s]) => (
        <Property key={k} ctx={ctx} name={k} schema={s} value={v[k]} path={[...path, k]} set={set} required={!!schema.required?.includes(k)} />
      ))}
    </>
  );
}

/** The whole form of one applet; `onChange` gets the new applet. */
export function AppletForm({ schema, ctx, onChange }: { schema: JsonSchema; ctx: FormContext; onChange: (a: Applet) => void }) {
  const set: Set = (path, value) => onChange(setIn(ctx.applet, path, value));
  return (
    <div class="applet-form">
      <ObjectFields ctx={ctx} schema={schema} value={ctx.applet} path={[]} set={set} />
    </div>
  );
}
