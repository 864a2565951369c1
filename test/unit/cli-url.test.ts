// Where every CLI finds the local stack (issue 20 item 9): --url, else PORT, else 3000.
import { stackUrl } from '../../local/cli-url';

test('--url wins (trailing slashes dropped), then PORT, then 3000; an empty PORT is unset', () => {
  expect(stackUrl('http://127.0.0.1:3100/', { PORT: '4000' })).toBe('http://127.0.0.1:3100');
  expect(stackUrl(undefined, { PORT: '4000' })).toBe('http://127.0.0.1:4000');
  expect(stackUrl(undefined, { PORT: '' })).toBe('http://127.0.0.1:3000');
  expect(stackUrl(undefined, {})).toBe('http://127.0.0.1:3000');
});
