// What the dashboard shows of a flow (applet types in path order) and what it refers to.
import type { FlowPart } from '../../lambdas/flows/schema';
import { appletTypesInPathOrder } from '../../lambdas/flows/summary';

const hangup = { type: 'hangup' as const };
const say = (next: string) => ({ type: 'say' as const, prompt: { text: 'Hi' }, loop: 1, next });

describe('appletTypesInPathOrder', () => {
  it('follows branches depth first from start', () => {
    expect(appletTypesInPathOrder({ start: 'a', applets: { a: say('b'), b: hangup } })).toEqual(['say', 'hangup']);
  });

  it('never takes an inherited property ("constructor", "toString") for an applet', () => {
    // Stored documents are not re-validated, so the summary must not rely on the schema refusing these ids.
    expect(appletTypesInPathOrder({ start: 'constructor', applets: { a: hangup } } as FlowPart)).toStrictEqual([]);
    expect(appletTypesInPathOrder({ start: 'a', applets: { a: say('toString') } } as FlowPart)).toStrictEqual(['say']);
  });
});
