// Each applet's branches, by the names the checker reports (next, options.1, rules.0.next...): the one
// walk of an applet's outgoing edges, for the checker, the summary and the dashboard's editor. Apart from
// applets.ts because it needs the Applet type from schema.ts, which imports applets.ts.
import type { Applet } from './schema';

/** The branches an applet has, by name, with their targets ("" or undefined when not set). */
export function branchesOf(applet: Applet): Array<{ branch: string; target: string | undefined }> {
  switch (applet.type) {
    case 'say':
    case 'text':
    case 'reply':
      return [{ branch: 'next', target: applet.next }];
    case 'menu':
      return [
        ...Object.entries(applet.options).map(([key, target]) => ({ branch: `options.${key}`, target })),
        { branch: 'fallback', target: applet.fallback },
      ];
    case 'hours':
      return [
        { branch: 'open', target: applet.open },
        { branch: 'closed', target: applet.closed },
      ];
    case 'caller':
    case 'keyword':
      return [
        ...applet.rules.map((r, i) => ({ branch: `rules.${i}.next`, target: r.next })),
        { branch: 'otherwise', target: applet.otherwise },
      ];
    case 'dial':
      return [{ branch: 'noAnswer', target: applet.noAnswer }];
    default:
      return [];
  }
}
