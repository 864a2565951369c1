// Dependencies point one way (STYLE.md): no import cycle among the folders under lambdas/ (admin -> carrier
// -> admin was one), and none among its files. The imports are read from the TypeScript compiler's own
// syntax tree, not with a regex, and checked against its import scanner (ts.preProcessFile).
//   Folders: every import counts, `import type` and re-exports included. A type-only edge is erased at
//   run time, but it still says that each folder needs the other.
//   Files: imports that stay at run time. Within a folder a type-only cycle is allowed, and needed: the
//   flow document's types are inferred from its zod schema (flows/schema.ts), whose checks use walkers
//   (flows/summary.ts, flows/applets.ts) that must take those types without importing schema.ts at run
//   time - the webhooks import the walkers, and schema.ts would bring zod (454 KB) into their bundles.
import { readFileSync } from 'node:fs';
import ts from 'typescript';
import { fileGraphs, importsOf, LAMBDAS, tsFiles, type Graph } from '../support/imports';

/** Files directly under lambdas/ (errors.ts) are a folder of their own, "lambdas". */
const folderOf = (file: string) => (file.includes('/') ? file.slice(0, file.lastIndexOf('/')) : 'lambdas');

/** Folder -> the folders its files import, with the file imports behind each folder edge (for the message). */
function folderGraph(files: Graph): { graph: Graph; because: Map<string, string[]> } {
  const graph: Graph = new Map();
  const because = new Map<string, string[]>();
  for (const [file, targets] of files) {
    const from = folderOf(file);
    if (!graph.has(from)) graph.set(from, new Set());
    for (const target of targets) {
      const to = folderOf(target);
      if (to === from) continue;
      graph.get(from)!.add(to);
      const key = `${from} -> ${to}`;
      because.set(key, [...(because.get(key) ?? []), `${file} imports ${target}`]);
    }
  }
  return { graph, because };
}

/**
 * The cycles, as loops such as ['admin', 'carrier', 'admin']: within each strongly connected component
 * (Tarjan), for every edge not yet on a reported loop, the shortest loop through it. So every import that
 * keeps a cycle closed is named, and breaking every loop listed breaks the component. A node that imports
 * itself is a loop too.
 */
function findCycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: Array<Set<string>> = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component = new Set<string>();
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.add(member);
      } while (member !== node);
      if (component.size > 1 || graph.get(node)?.has(node)) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);

  const loops: string[][] = [];
  for (const component of components) {
    const covered = new Set<string>();
    for (const from of [...component].sort()) {
      for (const to of [...(graph.get(from) ?? [])].sort()) {
        if (!component.has(to) || covered.has(`${from} -> ${to}`)) continue;
        const loop = [from, ...shortestPath(graph, to, from, component)];
        loop.slice(1).forEach((node, i) => covered.add(`${loop[i]} -> ${node}`));
        loops.push(loop);
      }
    }
  }
  return loops;
}

/** The fewest steps from `start` to `end` (both included) without leaving `within`. */
function shortestPath(graph: Graph, start: string, end: string, within: Set<string>): string[] {
  const cameFrom = new Map<string, string>([[start, start]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === end) {
      const path = [end];
      for (let at = end; at !== start; at = cameFrom.get(at)!) path.unshift(cameFrom.get(at)!);
      return path;
    }
    for (const to of [...(graph.get(node) ?? [])].sort()) {
      if (within.has(to) && !cameFrom.has(to)) {
        cameFrom.set(to, node);
        queue.push(to);
      }
    }
  }
  throw new Error(`no path from ${start} to ${end}`);
}

const files = fileGraphs();
const folders = folderGraph(files.all);

test('the walk sees every import the compiler sees, and tells type-only ones apart', () => {
  for (const file of tsFiles(LAMBDAS)) {
    const scanned = ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
    expect({ file, imports: importsOf(file).map((i) => i.specifier).sort() }).toEqual({ file, imports: scanned.sort() });
  }
  expect(files.all.size).toBe(tsFiles(LAMBDAS).length);
  expect(files.runtime.get('webhooks/deps.ts')).toContain('carrier/queued-text.ts');
  expect(files.runtime.get('handlers/admin-api.ts')).toContain('admin/api.ts');
  // `import type { CarrierLink }`: a dependency of admin/ on carrier/, erased at run time.
  expect(files.all.get('admin/flows.ts')).toContain('carrier/carrier-link.ts');
  expect(files.runtime.get('admin/flows.ts')).not.toContain('carrier/carrier-link.ts');
  expect([...folders.graph.get('admin')!]).toEqual(expect.arrayContaining(['carrier', 'report', 'flows', 'store']));
});

test('the cycle finder names a cycle, indirect ones included, and passes a graph that has none', () => {
  const g = (edges: Record<string, string[]>): Graph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]));
  expect(findCycles(g({ a: ['b'], b: ['c'], c: ['a'], d: ['a'] }))).toEqual([['a', 'b', 'c', 'a']]);
  expect(findCycles(g({ admin: ['carrier'], carrier: ['report', 'twilio'], report: ['carrier'], twilio: [] }))).toEqual([['carrier', 'report', 'carrier']]);
  // Two loops through one folder: both are named, not only the first.
  expect(findCycles(g({ admin: ['carrier'], carrier: ['admin', 'report'], report: ['carrier'] }))).toEqual([
    ['admin', 'carrier', 'admin'],
    ['carrier', 'report', 'carrier'],
  ]);
  expect(findCycles(g({ a: ['a'] }))).toEqual([['a', 'a']]);
  expect(findCycles(g({ a: ['b', 'c'], b: ['c'], c: [] }))).toEqual([]);
});

test('no file under lambdas/ imports itself back at run time, directly or through others', () => {
  expect(findCycles(files.runtime).map((loop) => loop.join(' -> '))).toEqual([]);
});

test('the folders under lambdas/ depend one way: no folder imports itself back through another', () => {
  const named = findCycles(folders.graph).map((loop) => ({
    cycle: loop.join(' -> '),
    because: loop.slice(1).flatMap((to, i) => folders.because.get(`${loop[i]} -> ${to}`) ?? []),
  }));
  expect(named).toEqual([]);
});

/** The files `entry` reaches at run time, itself included. */
function reachable(graph: Graph, entry: string): Set<string> {
  const seen = new Set([entry]);
  for (const queue = [entry]; queue.length; ) {
    for (const to of graph.get(queue.shift()!) ?? []) {
      if (seen.has(to)) continue;
      seen.add(to);
      queue.push(to);
    }
  }
  return seen;
}

test('no webhook reaches the twilio library’s REST client at run time: they queue their texts (DESIGN.md sections 10, 17)', () => {
  for (const handler of ['handlers/voice-webhook.ts', 'handlers/sms-webhook.ts', 'handlers/fallback-webhook.ts']) {
    const files = [...reachable(fileGraphs().runtime, handler)];
    expect({ handler, rest: files.filter((f) => f === 'carrier/twilio-client.ts' || f === 'carrier/carrier-link.ts') }).toEqual({ handler, rest: [] });
  }
  // The check can fail: the sender and the admin API do reach it.
  expect(reachable(fileGraphs().runtime, 'handlers/outbound-sender.ts')).toContain('carrier/twilio-client.ts');
  expect(reachable(fileGraphs().runtime, 'handlers/admin-api.ts')).toContain('carrier/twilio-client.ts');
});
