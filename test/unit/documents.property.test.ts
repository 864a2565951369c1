// Property-based tests of the flow document's schema and the checker (issue 10): random JSON, and valid
// documents broken in random ways, never crash them. The schema answers a ValidationError naming fields
// (the 400 of the admin API), the checker a list of problems; a document that gets through both still
// runs in the engines without throwing.
import fc from 'fast-check';
import { parseFlowDocument } from '../../lambdas/admin/flows';
import { startCall } from '../../lambdas/flows/call-engine';
import { checkFlow } from '../../lambdas/flows/checker';
import { ValidationError } from '../../lambdas/errors';
import type { Directory } from '../../lambdas/flows/people';
import { ERROR_CODES, WARNING_CODES, type Problem } from '../../lambdas/flows/problems';
import { flowDocumentSchema, type FlowDocument } from '../../lambdas/flows/schema';
import { runSms } from '../../lambdas/flows/sms-engine';
import { directoryArb, FC_SEED, FLOW_NUMBER, rawFlowArb } from '../support/flow-arbitraries';

const RUNS = 350;
const CODES: ReadonlySet<string> = new Set([...ERROR_CODES, ...WARNING_CODES]);

/** What the admin API does with a body: a document, or a ValidationError whose every issue names a path and says why. */
function parseLikeTheApi(body: unknown): FlowDocument | undefined {
  try {
    return parseFlowDocument(body);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    const issues = (err as ValidationError).issues;
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) {
      expect(typeof issue.path).toBe('string');
      expect(typeof issue.message).toBe('string');
      expect(issue.message.length).toBeGreaterThan(0);
    }
    return undefined;
  }
}

function expectProblems(problems: Problem[]): void {
  expect(Array.isArray(problems)).toBe(true);
  for (const p of problems) {
    expect(['error', 'warning']).toContain(p.severity);
    expect(['call', 'sms']).toContain(p.channel);
    expect(typeof p.code).toBe('string');
    expect(typeof p.message).toBe('string');
    expect(p.message.length).toBeGreaterThan(0);
  }
  // Codes the API documents (others may be added with their own tests: unknown ones are not a crash).
  expect(problems.filter((p) => !CODES.has(p.code) && !/^[a-z_]+$/.test(p.code))).toEqual([]);
}

/** Past the schema and the checker, a document still runs in both engines without throwing. */
async function expectRuns(doc: FlowDocument, directory: Directory): Promise<void> {
  const ports = { nextRoundRobinStart: async () => 0, stickyMember: async () => undefined, rememberSticky: async () => {}, presence: async () => new Map() };
  if (doc.call) await startCall(doc.call, { now: new Date('2026-03-02T15:00:00Z'), from: '+15550107777', to: FLOW_NUMBER, directory, ports });
  if (doc.sms) runSms(doc.sms, { now: new Date('2026-03-02T15:00:00Z'), from: '+15550107777', to: FLOW_NUMBER, body: 'hi', media: [], directory });
}

async function survives(body: unknown, directory: Directory): Promise<void> {
  // Through JSON, as a request body arrives (keys such as "__proto__" become own properties, as JSON.parse makes them).
  const text = JSON.stringify(body);
  const parsed = text === undefined ? undefined : JSON.parse(text);
  expect(() => flowDocumentSchema.safeParse(parsed)).not.toThrow();
  const doc = parseLikeTheApi(parsed);
  if (!doc) return;
  const problems = checkFlow(doc, directory, { flowId: 'flw_1' });
  expectProblems(problems);
  await expectRuns(doc, directory);
}

// ---------------------------------------------------------------------------------------------------
// Mutations: a valid document with one to four things broken

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

function pathsOf(value: Json, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

/** A JSON value with `path` replaced by `replace(old)` (undefined deletes it). */
function setAt(root: Json, path: Path, replace: (old: Json) => Json | undefined): Json {
  if (!path.length) return replace(root) ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const copy = [...root];
    const next = setAt(copy[head as number], rest, replace);
    if (rest.length === 0 && replace(copy[head as number]) === undefined) copy.splice(head as number, 1);
    else copy[head as number] = next;
    return copy;
  }
  if (root && typeof root === 'object') {
    const copy: { [key: string]: Json } = { ...root };
    if (rest.length === 0 && replace(copy[head as string]) === undefined) delete copy[head as string];
    else copy[head as string] = setAt(copy[head as string], rest, replace);
    return copy;
  }
  return root;
}

const WEIRD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', '', ' ', 'a'.repeat(65), 'ring', 'start', 'type', '1', '💥'];

const mutationArb: fc.Arbitrary<(value: Json, pick: number) => Json> = fc.oneof(
  // Replace any value with any JSON value.
  fc.jsonValue().map((v) => (value: Json, pick: number) => {
    const paths = pathsOf(value);
    return setAt(value, paths[pick % paths.length], () => v as Json);
  }),
  // Delete a field or an array element.
  fc.constant((value: Json, pick: number) => {
    const paths = pathsOf(value).filter((p) => p.length > 0);
    return paths.length ? setAt(value, paths[pick % paths.length], () => undefined) : value;
  }),
  // Swap a value for one of another type, or an edge value of its own type.
  fc.constantFrom<Json>(null, true, 0, -1, 1.5, 1e21, '', 'x'.repeat(2000), '\u0000', '\u200B', [], {}, [null], { type: 'hangup' }).map(
    (v) => (value: Json, pick: number) => {
      const paths = pathsOf(value);
      return setAt(value, paths[pick % paths.length], () => v);
    },
  ),
  // Keep the type, change the meaning: a branch, id or reference to another (or no) applet, person or
  // flow; a number to another small one; a flag flipped. Such documents mostly parse and reach the checker.
  fc.tuple(fc.constantFrom('a', 'b', 'c', 'nowhere', '', 'u0', 'u_gone', 'g0', 'flw_other', 'flw_1', 'hangup', 'sms'), fc.integer({ min: -1, max: 12 })).map(
    ([text, n]) => (value: Json, pick: number) => {
      const paths = pathsOf(value).filter((p) => p.length > 0);
      if (!paths.length) return value;
      return setAt(value, paths[pick % paths.length], (old) =>
        typeof old === 'string' ? text : typeof old === 'number' ? n : typeof old === 'boolean' ? !old : old);
    },
  ),
  // Drop one applet: the branches that named it now lead nowhere.
  fc.constant((value: Json, pick: number) => {
    const applets = pathsOf(value).filter((p) => p.length === 3 && p[1] === 'applets');
    return applets.length ? setAt(value, applets[pick % applets.length], () => undefined) : value;
  }),
  // Add a key that objects, records of applets or zod may trip on.
  fc.tuple(fc.constantFrom(...WEIRD_KEYS), fc.jsonValue()).map(([key, v]) => (value: Json, pick: number) => {
    const objects = pathsOf(value).filter((p) => {
      let node: Json = value;
      for (const k of p) node = (node as Record<string, Json>)[k as string];
      return node !== null && typeof node === 'object' && !Array.isArray(node);
    });
    if (!objects.length) return value;
    return setAt(value, objects[pick % objects.length], (old) => {
      const copy = { ...(old as Record<string, Json>) };
      Object.defineProperty(copy, key, { value: v as Json, enumerable: true, configurable: true, writable: true });
      return copy;
    });
  }),
);

describe('random documents never crash the schema or the checker', () => {
  it('arbitrary JSON: a ValidationError naming fields, or a document the checker answers with problems', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), directoryArb, async (body, directory) => survives(body, directory)),
      { seed: FC_SEED, numRuns: RUNS },
    );
  });

  it('arbitrary JSON inside the shape of a document (name, call, sms, start, applets)', async () => {
    const shaped = fc.record(
      {
        name: fc.oneof(fc.string(), fc.jsonValue()),
        call: fc.oneof(fc.jsonValue(), fc.record({ start: fc.oneof(fc.string(), fc.jsonValue()), applets: fc.dictionary(fc.string(), fc.jsonValue()) })),
        sms: fc.oneof(fc.jsonValue(), fc.record({ start: fc.string(), applets: fc.dictionary(fc.constantFrom(...WEIRD_KEYS, 'a', 'b'), fc.jsonValue()) })),
      },
      { requiredKeys: [] },
    );
    await fc.assert(fc.asyncProperty(shaped, directoryArb, async (body, directory) => survives(body, directory)), { seed: FC_SEED, numRuns: RUNS });
  });

  it('valid documents with one to four random things broken', async () => {
    let parsed = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(rawFlowArb(false), rawFlowArb(true)),
        fc.array(fc.tuple(mutationArb, fc.nat()), { minLength: 1, maxLength: 4 }),
        directoryArb,
        async (raw, mutations, directory) => {
          const body = mutations.reduce<Json>((doc, [mutate, pick]) => mutate(doc, pick), raw as Json);
          if (flowDocumentSchema.safeParse(JSON.parse(JSON.stringify(body))).success) parsed++;
          await survives(body, directory);
        },
      ),
      { seed: FC_SEED, numRuns: RUNS },
    );
    // Both sides were exercised: many broken documents were refused, and many still parsed and were checked.
    expect(parsed).toBeGreaterThan(RUNS / 10);
    expect(parsed).toBeLessThan(RUNS);
  });
});
