// The structure Twilio documents for TwiML, read from the twilio library's own TypeScript declarations
// (twilio/lib/twiml/VoiceResponse.d.ts, MessagingResponse.d.ts): which verbs and nouns each element may
// hold (the methods of its class) and which attributes it takes (its `...Attributes` interface). A TwiML
// answer that uses anything else is something Twilio does not know (or ignores, or fails on).
import { readFileSync } from 'node:fs';
import { isElement, parseTwiml, type TwimlElement } from '../../local/carrier';

interface Grammar {
  /** Element name → the names of the elements it may contain. */
  children: Map<string, Set<string>>;
  /** Element name → the attributes its `<Name>Attributes` interface declares (declarations merged, as TypeScript does). */
  attributes: Map<string, Set<string>>;
  /** Attribute values the declarations spell out as string unions, by `Element.attribute`. */
  values: Map<string, Set<string>>;
}

function grammarOf(file: string, root: 'VoiceResponse' | 'MessagingResponse'): Grammar {
  const source = readFileSync(require.resolve(`twilio/lib/twiml/${file}`), 'utf8');
  const children = new Map<string, Set<string>>();
  const attributes = new Map<string, Set<string>>();
  const values = new Map<string, Set<string>>();
  const unions = new Map<string, string[]>();
  for (const [, name, body] of source.matchAll(/type (\w+) = ([^;]+);/g)) {
    const literals = [...body.matchAll(/"([^"]*)"/g)].map((m) => m[1]);
    if (literals.length) unions.set(name, literals);
  }

  // `declare class VoiceResponse extends TwiML { ... }` at the top, `[export] class Dial extends TwiML { ... }` in the namespace.
  const classes = [...source.matchAll(/^ *(?:declare |export )?class (\w+) extends TwiML \{([\s\S]*?)\n(?: {4})?\}/gm)];
  for (const [, name, body] of classes) {
    const element = name === root ? 'Response' : name;
    const nested = new Set([...body.matchAll(new RegExp(`\\): ${root}\\.(\\w+);`, 'g'))].map((m) => m[1]));
    children.set(element, nested);
  }
  for (const [, name, body] of source.matchAll(/^ {4}(?:export )?interface (\w+)Attributes \{([\s\S]*?)\n {4}\}/gm)) {
    const declared = attributes.get(name) ?? new Set<string>();
    for (const [, attribute, type] of body.matchAll(/^\s+(\w+)\?: ([^;]+);/gm)) {
      declared.add(attribute);
      const union = unions.get(type.replace(/^\w+Response\./, '').replace(/\[\]$/, ''));
      if (union) values.set(`${name}.${attribute}`, new Set(union));
    }
    attributes.set(name, declared);
  }
  return { children, attributes, values };
}

const GRAMMARS = {
  voice: grammarOf('VoiceResponse.d.ts', 'VoiceResponse'),
  messaging: grammarOf('MessagingResponse.d.ts', 'MessagingResponse'),
};

/**
 * Everything in the answer that the library's TwiML classes do not define: an element its parent's class
 * cannot create, an attribute its Attributes interface does not declare, a value outside a declared union.
 * An empty list means every verb, noun and attribute is one Twilio documents.
 */
export function twimlViolations(xml: string, kind: 'voice' | 'messaging'): string[] {
  const grammar = GRAMMARS[kind];
  const root = parseTwiml(xml);
  const problems: string[] = [];
  if (root.name !== 'Response') problems.push(`the root is <${root.name}>, not <Response>`);
  const walk = (element: TwimlElement, path: string) => {
    const allowed = grammar.attributes.get(element.name) ?? new Set<string>();
    for (const [attribute, value] of Object.entries(element.attributes)) {
      if (!allowed.has(attribute)) problems.push(`${path}: <${element.name}> has no attribute "${attribute}"`);
      const union = grammar.values.get(`${element.name}.${attribute}`);
      // A list-typed attribute (Gather's input) is written space-separated.
      const parts = union ? value.split(' ') : [];
      for (const part of parts) if (!union!.has(part)) problems.push(`${path}: <${element.name} ${attribute}="${value}"> is not one of the library's values`);
    }
    const nested = grammar.children.get(element.name) ?? new Set<string>();
    for (const child of element.children.filter(isElement)) {
      const at = `${path}/${child.name}`;
      if (!nested.has(child.name)) problems.push(`${at}: <${element.name}> cannot contain <${child.name}>`);
      walk(child, at);
    }
  };
  walk(root, 'Response');
  return problems;
}

/** For the tests of the validator itself: how much of the library it read. */
export const grammarSize = (kind: 'voice' | 'messaging') => ({
  elements: GRAMMARS[kind].children.size,
  attributes: [...GRAMMARS[kind].attributes.values()].reduce((n, s) => n + s.size, 0),
});
