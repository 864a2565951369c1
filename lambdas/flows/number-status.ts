// A number's status (DESIGN.md section 1): what reaches it, from the parts of the flow it has.
export const NUMBER_STATUSES = ['ok', 'no_flow', 'no_call_flow', 'no_sms_flow'] as const;
export type NumberStatus = (typeof NUMBER_STATUSES)[number];

/** `flow`: the parts of the number's flow, undefined when it has none. */
export function numberStatus(flow: { hasCall: boolean; hasSms: boolean } | undefined): NumberStatus {
  if (!flow || (!flow.hasCall && !flow.hasSms)) return 'no_flow';
  if (!flow.hasCall) return 'no_call_flow';
  if (!flow.hasSms) return 'no_sms_flow';
  return 'ok';
}
