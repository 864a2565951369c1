// The dashboard's colour pairs meet WCAG AA (4.5:1 for text): read from the stylesheet itself, so a
// palette change that makes text unreadable fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const css = readFileSync(join(__dirname, '..', '..', 'web', 'src', 'styles.css'), 'utf8');
const vars = Object.fromEntries([...css.matchAll(/--([a-z-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
const colour = (c: string) => (c.startsWith('--') ? vars[c.slice(2)] : c);

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [x, y] = [luminance(colour(a)), luminance(colour(b))].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
};

// [text, background, where]
const PAIRS: Array<[string, string, string]> = [
  ['--text', '--panel', 'body text'],
  ['--text', '--bg', 'text on the page background'],
  ['--muted', '--panel', 'secondary text'],
  ['--muted', '--bg', 'secondary text on the page'],
  ['--accent', '--panel', 'links'],
  ['#ffffff', '--accent', 'primary buttons'],
  ['#ffffff', '--bad', 'red buttons and status badges'],
  ['--bad', '--panel', 'error text'],
  ['--bad', '--bad-soft', 'text on a red row'],
  ['--text', '--bad-soft', 'a red row'],
  ['#7a1a10', '--bad-soft', 'error notes'],
  ['--ok', '--ok-soft', 'OK badges'],
  ['#173f9e', '--accent-soft', 'selected tabs and info badges'],
  ['#5b4300', '#fff0c2', 'warning badges'],
  ['#5c130c', '--bad-soft', 'the report banner'],
  ['#c9d2e3', '#111a2e', 'top bar tabs'],
];

it.each(PAIRS)('%s on %s (%s) is at least 4.5:1', (text, background) => {
  expect(colour(text)).toMatch(/^#[0-9a-f]{6}$/i);
  expect(colour(background)).toMatch(/^#[0-9a-f]{6}$/i);
  expect(contrast(text, background)).toBeGreaterThanOrEqual(4.5);
});
