// A carrier link for tests: the project's Twilio-compatible server on loopback and the twilio library's
// REST client pointed at it (lambdas/carrier/twilio-client.ts), as TWILIO_API_URL points it.
import { FakeTwilio, startFakeTwilio } from '../../local/fake-twilio';
import type { CarrierLink } from '../../lambdas/carrier/carrier-link';
import { TwilioLibraryApi, type TwilioClientOptions } from '../../lambdas/carrier/twilio-client';

export const PUBLIC_URL = 'https://calls.example.com';

export async function fakeCarrier(options: Omit<TwilioClientOptions, 'apiUrl'> = {}): Promise<{ fake: FakeTwilio; client: TwilioLibraryApi; link: CarrierLink }> {
  const fake = await startFakeTwilio();
  const client = new TwilioLibraryApi({ accountSid: fake.accountSid, authToken: fake.authToken }, { ...options, apiUrl: fake.url });
  return { fake, client, link: { publicUrl: PUBLIC_URL, api: async () => client } };
}

/** Runs `work` while collecting what the process writes (Powertools logs and EMF metrics), as JSON lines. */
export async function capturingOutput<T>(work: () => Promise<T>): Promise<{ result: T; lines: Array<Record<string, any>>; text: string }> { // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON log and EMF lines, read by path by the tests
  const chunks: string[] = [];
  const collect = (chunk: unknown) => (chunks.push(String(chunk)), true);
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(collect);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(collect);
  let result: T;
  try {
    result = await work();
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
  const text = chunks.join('');
  const lines = text.split('\n').filter(Boolean).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
  return { result, lines, text };
}
