// What changed inside an applet between two revisions, setting by setting, with the value before and after
// (issue 20 item 5): "prompt › text: “Hi” → “Hello”", "ring seconds: 15 → 25", people by name.
import type { Names } from './flow-model';

export interface SettingChange {
  setting: string;
  before: string;
  after: string;
}

type Flat = Map<string, unknown>;

function flatten(value: unknown, prefix: string, out: Flat): Flat {
  if (Array.isArray(value) && value.every((v) => v === null || typeof v !== 'object')) out.set(prefix, value);
  else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, `${prefix}.${i}`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out.set(prefix, value);
  return out;
}

/** "targets.0.user" → "targets › #1 › user"; "ringSeconds" → "ring seconds". */
const settingName = (path: string) =>
  path
    .split('.')
    .map((p) => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : p.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()))
    .join(' › ');

function shown(path: string, value: unknown, names: Names): string {
  if (value === undefined) return '—';
  const last = path.split('.').pop();
  if (typeof value === 'string') {
    if (last === 'user') return names.users.get(value) ?? value;
    if (last === 'group') return names.groups.get(value) ?? value;
    if (last === 'flow') return names.flows.get(value) ?? value;
    return `“${value}”`;
  }
  if (Array.isArray(value)) return value.length ? value.map((v) => (Array.isArray(v) ? v.join('–') : String(v))).join(', ') : 'none';
  return String(value);
}

/** Every setting whose value differs, in the newer applet's order (removed settings last). */
export function settingChanges(before: unknown, after: unknown, names: Names): SettingChange[] {
  const a = flatten(before, '', new Map());
  const b = flatten(after, '', new Map());
  const keys = [...b.keys(), ...[...a.keys()].filter((k) => !b.has(k))];
  return keys
    .filter((k) => JSON.stringify(a.get(k)) !== JSON.stringify(b.get(k)))
    .map((k) => ({ setting: settingName(k), before: shown(k, a.get(k), names), after: shown(k, b.get(k), names) }));
}
