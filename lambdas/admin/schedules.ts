// Shared schedules and their overrides (DESIGN.md section 15): CRUD with If-Match on the schedule's
// version; an edit re-checks every flow that uses the schedule, as a user or group edit does (people.ts);
// a schedule in use cannot be deleted (409 naming the flows); the override is set and cleared on its own
// route, without a new version of the schedule or a new revision of any flow, and expires by itself.
import type { ScheduleView } from '../api-types';
import { ConflictError, ValidationError } from '../errors';
import { activeOverride } from '../flows/hours';
import { overrideInputSchema, type ScheduleInput } from '../flows/schedule';
import type { StoredSchedule } from '../store/schedule-store';
import type { AdminDeps } from './flows';
import { parseWith } from './http';
import { refuseIfFlowsBreak, type FlowRecheck } from './people';

/** The flows' names, for answers that list them (one read of the heads). */
async function flowNames(deps: AdminDeps): Promise<Map<string, string>> {
  return new Map((await deps.flows.listHeads()).map((h) => [h.id, h.name]));
}

/** What the API answers: the override only while it is active (it expires by itself, at read time). */
function view(schedule: StoredSchedule, now: Date, names: ReadonlyMap<string, string>): ScheduleView {
  const { override, flows, ...rest } = schedule;
  const active = activeOverride(override, now);
  return { ...rest, ...(active && { override: active }), flows: flows.map((id) => ({ id, name: names.get(id) ?? id })) };
}

export async function listSchedules(deps: AdminDeps): Promise<ScheduleView[]> {
  const [schedules, names] = await Promise.all([deps.schedules.list(), flowNames(deps)]);
  const now = deps.now();
  return schedules.map((s) => view(s, now, names));
}

export async function getSchedule(deps: AdminDeps, id: string): Promise<ScheduleView> {
  const [schedule, names] = await Promise.all([deps.schedules.get(id), flowNames(deps)]);
  return view(schedule, deps.now(), names);
}

export async function createSchedule(deps: AdminDeps, input: ScheduleInput): Promise<ScheduleView> {
  return view(await deps.schedules.create(input, deps.now()), deps.now(), new Map());
}

/**
 * Saves the edit after checking every flow that uses the schedule against it (409 when it would give
 * one an error); the answer lists those flows with their problems as they are now (warnings included,
 * such as `always_closed` when the edit leaves no opening hours).
 */
export async function updateSchedule(deps: AdminDeps, id: string, input: ScheduleInput, expectedVersion?: number): Promise<ScheduleView & { recheck: FlowRecheck[] }> {
  let recheck: FlowRecheck[] = [];
  const saved = await deps.schedules.update(id, input, deps.now(), expectedVersion, async (before) => {
    recheck = await refuseIfFlowsBreak(
      deps,
      (directory) => ({ ...directory, schedules: new Map(directory.schedules).set(id, { ...before, ...input, id }) }),
      (head) => before.flows.includes(head.id),
      `schedule ${id} (${before.name})`,
    );
  });
  return { ...view(saved, deps.now(), new Map(recheck.map((r) => [r.flow, r.name]))), recheck };
}

export async function deleteSchedule(deps: AdminDeps, id: string, expectedVersion?: number): Promise<void> {
  const schedule = await deps.schedules.get(id);
  // The store refuses too (a conditional delete, so a flow published meanwhile cannot slip through);
  // this first look only names the flows in words.
  if (schedule.flows.length) {
    const names = await flowNames(deps);
    throw new ConflictError(
      `schedule ${id} (${schedule.name}) is used by ${schedule.flows.map((f) => `${names.get(f) ?? f} (${f})`).join(', ')}; change their hours first`,
      schedule.flows.map((f) => ({ flow: f, name: names.get(f) ?? f })),
    );
  }
  await deps.schedules.delete(id, deps.now(), expectedVersion);
}

/** `PUT /api/schedules/{id}/override`: `until`, when given, must be in the future (a past one would do nothing). */
export async function setOverride(deps: AdminDeps, id: string, body: unknown): Promise<ScheduleView> {
  const input = parseWith(overrideInputSchema, body);
  const now = deps.now();
  if (input.until !== undefined && Date.parse(input.until) <= now.getTime()) {
    throw new ValidationError([{ path: 'until', message: `must be in the future (it is ${now.toISOString()} now)` }]);
  }
  await deps.schedules.get(id); // 404 before anything is written
  await deps.schedules.setOverride(id, input, now, 'api');
  return getSchedule(deps, id);
}

export async function clearOverride(deps: AdminDeps, id: string): Promise<ScheduleView> {
  await deps.schedules.get(id);
  await deps.schedules.setOverride(id, undefined, deps.now(), 'api');
  return getSchedule(deps, id);
}
