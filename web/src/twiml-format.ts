// TwiML as the simulator shows it.
/** TwiML one element a line, indented, for reading (the API returns it on one line). */
export function prettyXml(xml: string): string {
  const tokens = xml.replace(/^<\?xml[^>]*\?>/, '').split(/(<[^>]+>)/).filter((t) => t.trim() !== '');
  let depth = 0;
  const lines: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      lines.push(`${'  '.repeat(depth)}${t}`);
    } else if (t.startsWith('<') && !t.endsWith('/>')) {
      // An element with only text inside stays on one line: <Say>Hello</Say>.
      if (tokens[i + 1] && !tokens[i + 1].startsWith('<') && tokens[i + 2]?.startsWith('</')) {
        lines.push(`${'  '.repeat(depth)}${t}${tokens[i + 1]}${tokens[i + 2]}`);
        i += 2;
      } else {
        lines.push(`${'  '.repeat(depth)}${t}`);
        depth++;
      }
    } else lines.push(`${'  '.repeat(depth)}${t}`);
  }
  return lines.join('\n');
}
