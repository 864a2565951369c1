// The Host check the local stack and the dashboard proxy share (local/http-guards.ts): which names count
// as this machine, and which a PUBLIC_URL adds.
import { hostsOfUrl, isAddressedTo, ownHosts } from '../../local/http-guards';

const addressed = (host: string | undefined, allowed: string[]) => isAddressedTo({ headers: host === undefined ? {} : { host } }, allowed);

it('answers loopback by address or name at its own port only', () => {
  expect(ownHosts(3000)).toEqual(['127.0.0.1:3000', 'localhost:3000', '[::1]:3000']);
  for (const host of ['127.0.0.1:3000', 'localhost:3000', 'LOCALHOST:3000', '[::1]:3000', ' localhost:3000 ']) expect(addressed(host, ownHosts(3000))).toBe(true);
  for (const host of [undefined, '', 'localhost', '127.0.0.1', 'localhost:3001', 'rebind.attacker.test:3000', 'localhost.attacker.test:3000', '127.0.0.2:3000', '0.0.0.0:3000', '[::]:3000']) {
    expect({ host, ok: addressed(host, ownHosts(3000)) }).toEqual({ host, ok: false });
  }
});

it('on port 80 also answers the bare names a browser sends there', () => {
  expect(ownHosts(80)).toEqual(['127.0.0.1:80', '127.0.0.1', 'localhost:80', 'localhost', '[::1]:80', '[::1]']);
});

it('adds a specific --host address, never a wildcard', () => {
  expect(ownHosts(3000, '192.168.1.5')).toContain('192.168.1.5:3000');
  expect(ownHosts(3000, 'fd00::5')).toContain('[fd00::5]:3000');
  expect(ownHosts(3000, '0.0.0.0')).toEqual(ownHosts(3000));
  expect(ownHosts(3000, '::')).toEqual(ownHosts(3000));
  expect(ownHosts(3000, '127.0.0.1')).toEqual(ownHosts(3000));
});

it("takes PUBLIC_URL's host with and without its scheme's default port", () => {
  expect(hostsOfUrl('https://Calls.Example.com/switchboard')).toEqual(['calls.example.com', 'calls.example.com:443']);
  expect(hostsOfUrl('http://tunnel.test:8080')).toEqual(['tunnel.test:8080']);
  expect(hostsOfUrl(undefined)).toEqual([]);
  expect(hostsOfUrl('')).toEqual([]);
  expect(hostsOfUrl('not a url')).toEqual([]);
});
