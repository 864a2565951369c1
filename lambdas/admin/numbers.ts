// Number use cases and the number view with its status (DESIGN.md section 1).
import { ValidationError } from '../flows/errors';
import { NUMBER_STATUSES, numberStatus } from '../flows/number-status';
import type { FlowHead } from '../store/flow-store';
import type { NumberRecord } from '../store/number-store';
import type { AdminDeps } from './flows';


export function numberView(record: NumberRecord, flow: FlowHead | undefined) {
  return {
    number: record.number,
    name: record.name,
    flowId: record.flowId ?? null,
    flowName: flow?.name ?? null,
    status: numberStatus(record.flowId ? flow : undefined),
    since: record.since,
  };
}

async function view(deps: AdminDeps, record: NumberRecord) {
  return numberView(record, record.flowId ? await deps.flows.findHead(record.flowId) : undefined);
}

export async function listNumbers(deps: AdminDeps, status: string | undefined) {
  if (status !== undefined && !(NUMBER_STATUSES as readonly string[]).includes(status)) {
    throw new ValidationError([{ path: 'status', message: `must be one of ${NUMBER_STATUSES.join(', ')}` }]);
  }
  const [records, heads] = await Promise.all([
    status === 'no_flow' ? deps.numbers.listWithoutFlow() : deps.numbers.list(),
    deps.flows.listHeads(),
  ]);
  const byId = new Map(heads.map((h) => [h.id, h]));
  const numbers = records.map((r) => numberView(r, r.flowId ? byId.get(r.flowId) : undefined));
  return { numbers: status ? numbers.filter((n) => n.status === status) : numbers };
}

export async function listFlowNumbers(deps: AdminDeps, flowId: string) {
  const head = await deps.flows.getHead(flowId);
  return { numbers: (await deps.numbers.listByFlow(flowId)).map((r) => numberView(r, head)) };
}

export const getNumber = async (deps: AdminDeps, number: string) => view(deps, await deps.numbers.get(number));

export async function putNumber(deps: AdminDeps, number: string, input: { name?: string; flowId?: string }) {
  const { created, record } = await deps.numbers.register(number, input.name, input.flowId, deps.now());
  return { created, number: await view(deps, record) };
}

export const assignFlowToNumber = async (deps: AdminDeps, number: string, flowId: string) =>
  view(deps, await deps.numbers.assign(number, flowId, deps.now()));

export const unassignFlowFromNumber = async (deps: AdminDeps, number: string) =>
  view(deps, await deps.numbers.unassign(number, deps.now()));
