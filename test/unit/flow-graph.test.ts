// The one walk of a flow part's graph (lambdas/flows/graph.ts) that the checker, the dashboard summary
// and the editor's diagram share: which applets exist, where each branch leads, what start reaches.
import { isApplet, linksOf, successors, unreachable, walk, type PartGraph } from '../../lambdas/flows/graph';
import type { Applet, FlowPart } from '../../lambdas/flows/schema';
import { reachable } from '../../web/src/flow-model';

const hangup: Applet = { type: 'hangup' };
const say = (next: string): Applet => ({ type: 'say', prompt: { text: 'Hi' }, loop: 1, next });
const hours = (open: string, closed: string): Applet => ({
  type: 'hours', timezone: 'UTC', weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] }, closures: [], open, closed,
});

/**
 *        start
 *        /   \
 *      open  closed
 *       |      |
 *     deep    bye
 *       |
 *      bye
 */
const part: FlowPart = {
  start: 'start',
  applets: {
    start: hours('open', 'closed'),
    open: say('deep'),
    closed: say('bye'),
    deep: say('bye'),
    bye: hangup,
    orphan: say('bye'),
  },
};

describe('isApplet', () => {
  it('finds the part’s own applets only', () => {
    expect(isApplet(part, 'open')).toBe(true);
    expect(isApplet(part, 'nowhere')).toBe(false);
    expect(isApplet(part, '')).toBe(false);
    expect(isApplet(part, undefined)).toBe(false);
  });

  it.each(['toString', 'constructor', 'hasOwnProperty', 'valueOf', '__proto__'])('never takes the inherited "%s" for an applet', (id) => {
    expect(isApplet(part, id)).toBe(false);
  });

  it('does take an applet whose own id is "toString"', () => {
    expect(isApplet({ start: 'toString', applets: { toString: hangup } }, 'toString')).toBe(true);
  });
});

describe('linksOf and successors', () => {
  it('say where each branch leads, in declared order: an applet, nowhere (a dead end) or an unknown id', () => {
    const p: FlowPart = { start: 'h', applets: { h: hours('bye', ''), bye: hangup } };
    expect(linksOf(p, p.applets.h)).toEqual([
      { branch: 'open', target: 'bye', leadsTo: 'applet' },
      { branch: 'closed', target: '', leadsTo: 'empty' },
    ]);
    const q: FlowPart = { start: 'h', applets: { h: hours('toString', 'gone') } };
    expect(linksOf(q, q.applets.h).map((l) => l.leadsTo)).toEqual(['unknown', 'unknown']);
    expect(successors(q, q.applets.h)).toEqual([]);
    expect(successors(part, part.applets.start)).toEqual(['open', 'closed']);
  });
});

describe('walk', () => {
  it('breadth first by default: the applets nearest to start first', () => {
    expect(walk(part)).toEqual(['start', 'open', 'closed', 'deep', 'bye']);
  });

  it('depth first on request: each branch to its end before the next', () => {
    expect(walk(part, { order: 'depth' })).toEqual(['start', 'open', 'deep', 'bye', 'closed']);
  });

  it('lists an applet it does not go past, and stops there', () => {
    expect(walk(part, { through: (applet, id) => id !== 'open' && applet.type !== 'say' })).toEqual(['start', 'open', 'closed']);
  });

  it('visits each applet once around a cycle', () => {
    const loop: FlowPart = { start: 'a', applets: { a: say('b'), b: say('a') } };
    expect(walk(loop)).toEqual(['a', 'b']);
    expect(walk(loop, { order: 'depth' })).toEqual(['a', 'b']);
  });

  it('reaches nothing from a start that is not an applet', () => {
    expect(walk({ ...part, start: 'nowhere' })).toEqual([]);
    expect(walk({ ...part, start: '' })).toEqual([]);
    expect(walk({ ...part, start: 'toString' })).toEqual([]);
  });

  it.each(['toString', 'constructor', '__proto__'])('never follows a branch to the inherited "%s"', (target) => {
    const p: FlowPart = { start: 'a', applets: { a: say(target) } };
    expect(walk(p)).toEqual(['a']);
    expect(walk(p, { order: 'depth' })).toEqual(['a']);
  });
});

describe('unreachable', () => {
  it('lists the applets no path reaches, in document order', () => {
    expect(unreachable(part)).toEqual(['orphan']);
  });

  it('is every applet when start is not an applet', () => {
    expect(unreachable({ ...part, start: 'toString' })).toEqual(Object.keys(part.applets));
  });
});

describe('the editor (web/src/flow-model.ts) walks the same graph', () => {
  it('reaches what the checker reaches', () => {
    expect([...reachable(part)].sort()).toEqual([...walk(part)].sort());
  });

  it('takes the editor’s loosely typed drafts as they are', () => {
    const draft: PartGraph<{ type: string } & Record<string, unknown>> = {
      start: 'greet',
      applets: { greet: { type: 'say', prompt: { text: 'Hi' }, next: 'vm' }, vm: { type: 'voicemail', mailbox: { group: '' } } },
    };
    expect(walk(draft)).toEqual(['greet', 'vm']);
  });
});
