// Errors written for people (issue 20 item 6): the admin API's errors are for developers (status codes,
// ids, query flags, field paths); the page says the same in words a person reads: names instead of ids, no
// status code, no `?unassign=true`, a field by its label. The API's own message stays the source: this
// only rewords it, so a new error still says something true.
import { ApiError } from './api';

/** Who's who, by id: users, groups and flows the page has loaded. */
export interface NameBook {
  users?: ReadonlyMap<string, string>;
  groups?: ReadonlyMap<string, string>;
  flows?: ReadonlyMap<string, string>;
}

const GONE: Record<string, string> = { user: 'a user who no longer exists', group: 'a group that no longer exists', flow: 'a flow that no longer exists' };

/**
 * A server message with its ids replaced by names: `user "usr_1" (Ann)` → `Ann`, `group "grp_2"` → the
 * group's name (or "a group that no longer exists"), `flow "flw_3"` and `flow flw_3` → the flow's name;
 * API flags (`pass ?unassign=true`) are dropped.
 */
export function humanize(text: string, names: NameBook = {}): string {
  const book = { user: names.users, group: names.groups, flow: names.flows } as const;
  return text
    .replace(/\b(user|group|flow)s? "([^"]+)" \(([^)]+)\)/g, (_m, _kind: string, _id: string, name: string) => name)
    // Main's schedules name ids bare: `Schedule sch_1 (Main office)` → `Main office`, `Main line (flw_2)` → `Main line`.
    .replace(/\b[Ss]chedule (?:sch_[A-Za-z0-9_-]+) \(([^)]+)\)/g, (_m, name: string) => `The schedule ${name}`)
    .replace(/ \((?:flw|sch|usr|grp)_[A-Za-z0-9_-]+\)/g, '')
    .replace(/\b(user|group|flow) "([^"]+)"/g, (_m, kind: keyof typeof book, id: string) => book[kind]?.get(id) ?? GONE[kind])
    .replace(/\bflow ((?:flw|flow)_[A-Za-z0-9_-]+)/g, (_m, id: string) => book.flow?.get(id) ?? 'this flow')
    .replace(/\bflow\(s\) ([^;]+)/g, (_m, list: string) => list.split(', ').map((id) => book.flow?.get(id.trim()) ?? id).join(', '))
    .replace(/[;,]?\s*(?:or )?pass \?[a-z]+=[a-z]+/gi, '')
    .replace(/\b(\d+) (number|flow|user|group)\(s\)/g, (_m, n: string, what: string) => `${n} ${what}${n === '1' ? '' : 's'}`)
    .replace(/\s+/g, ' ')
    .trim();
}

/** A field path of the API (`call.applets.menu.prompt.text`) as a person reads it: "menu › prompt › text". */
export function fieldName(path: string): string {
  if (!path) return 'the request';
  const parts = path.split('.').filter((p, i) => !(i === 0 && (p === 'call' || p === 'sms')) && !(i === 1 && p === 'applets'));
  const words = parts.map((p) => (/^\d+$/.test(p) ? `#${Number(p) + 1}` : p.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()));
  const where = path.startsWith('sms.') ? 'SMS flow › ' : path.startsWith('call.') ? 'call flow › ' : '';
  return `${where}${words.join(' › ')}`;
}

/** What went wrong, in words: a lead sentence and the particulars (fields, problems), never a status code. */
export function describeError(error: unknown, names: NameBook = {}): { lead: string; items: string[] } {
  if (!(error instanceof ApiError)) return { lead: error instanceof Error ? error.message : String(error), items: [] };
  const problems = error.details.filter((d): d is { message: string; severity?: string } => typeof d === 'object' && d !== null && 'message' in d && !('path' in d));
  switch (error.status) {
    case 0:
      return { lead: error.message, items: [] };
    case 400:
      return { lead: error.fields.length ? 'Some entries need fixing:' : humanize(error.message, names), items: error.fields.map((f) => `${fieldName(f.path)}: ${f.message}`) };
    case 404:
      return { lead: `${capitalize(humanize(error.message.replace(/ not found$/, ''), names))} no longer exists: someone may have deleted it meanwhile. Reload the page to see what is there now.`, items: [] };
    case 412:
      return { lead: 'Someone else changed this meanwhile.', items: [] };
    case 422: {
      const errors = problems.filter((p) => p.severity === 'error');
      return { lead: `This cannot be published yet: ${errors.length === 1 ? 'one problem needs' : `${errors.length} problems need`} fixing first.`, items: errors.map((p) => humanize(p.message, names)) };
    }
    case 503:
      return { lead: 'The server cannot reach its storage right now. Nothing was changed; try again in a moment.', items: [] };
    default:
      return { lead: capitalize(humanize(error.message, names)), items: [] };
  }
}

const capitalize = (s: string) => (s ? s[0].toUpperCase() + s.slice(1) : s);
