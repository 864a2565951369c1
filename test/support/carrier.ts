// A carrier link for tests: the project's Twilio-compatible server on loopback and the twilio library's
// REST client pointed at it (lambdas/carrier/twilio-client.ts), as TWILIO_API_URL points it; the library's
// raw client too (as a person in Twilio's console, or another program, would change the account); and the
// check of everything the server saw against Twilio's API definitions.
import twilio from 'twilio';
import type { CarrierSyncJob } from '../../lambdas/api-types';
import { FakeTwilio, startFakeTwilio, type FakeTwilioOptions } from '../../local/fake-twilio';
import { twilioSpec } from './twilio-spec';
import type { CarrierLink } from '../../lambdas/carrier/carrier-link';
import { RebasedRequestClient, TwilioLibraryApi, type TwilioClientOptions } from '../../lambdas/carrier/twilio-client';

export const PUBLIC_URL = 'https://calls.example.com';

/** The fakes `fakeCarrier` started in this test file, and how far their requests have been checked. */
const checked = new Map<FakeTwilio, number>();

/** Checks every request the carrier link sent to the fake, and every answer, against twilio-oai after each test (a file that uses this helper gets it). */
export function checkAgainstTwilioSpec(fake: FakeTwilio): void {
  if (!checked.has(fake)) checked.set(fake, 0);
}

afterEach(() => {
  const problems: string[] = [];
  for (const [fake, from] of checked) {
    problems.push(...specProblems(fake, { from }));
    checked.set(fake, fake.requests.length);
  }
  expect(problems).toEqual([]);
});

export async function fakeCarrier(options: Omit<TwilioClientOptions, 'apiUrl'> = {}, fakeOptions: FakeTwilioOptions = {}): Promise<{ fake: FakeTwilio; client: TwilioLibraryApi; link: CarrierLink }> {
  const fake = await startFakeTwilio(fakeOptions);
  checkAgainstTwilioSpec(fake);
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

/** The twilio library's REST client, its every `https://<domain>.twilio.com` request sent to the fake instead. */
export function libraryClient(fake: FakeTwilio): ReturnType<typeof twilio> {
  return twilio(fake.accountSid, fake.authToken, { httpClient: new RebasedRequestClient(fake.url, {}) });
}

/**
 * What Twilio's API definitions say of what the fake received and answered since `from` (an index into
 * `fake.requests`): every request (those a test sends broken on purpose excepted, by `skip`) and every answer.
 */
export function specProblems(fake: FakeTwilio, { from = 0, skipRequests = () => false }: { from?: number; skipRequests?: (r: FakeTwilio['requests'][number]) => boolean } = {}): string[] {
  const spec = twilioSpec();
  return fake.requests.slice(from).flatMap((r) => [...(skipRequests(r) ? [] : spec.requestProblems(r)), ...(r.status === undefined ? [] : spec.answerProblems(r))]);
}

type Api = (method: string, path: string, body?: unknown) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- the admin API's JSON, read by path

/**
 * `POST /api/carrier/sync` (202 and a job), then its progress polled (`GET /api/carrier/sync/{id}`) until it
 * is no longer running: the finished job, and every progress seen on the way.
 */
export async function syncToEnd(api: Api, body?: unknown, { timeoutMs = 120_000 } = {}): Promise<CarrierSyncJob & { seen: CarrierSyncJob[] }> {
  const started = await api('POST', '/api/carrier/sync', body);
  if (started.status !== 202) throw new Error(`POST /api/carrier/sync answered ${started.status}: ${JSON.stringify(started.body)}`);
  let job = started.body as CarrierSyncJob;
  const seen = [job];
  const until = Date.now() + timeoutMs;
  while (job.status === 'running') {
    if (Date.now() > until) throw new Error(`sync ${job.id} still running after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
    const read = await api('GET', `/api/carrier/sync/${job.id}`);
    if (read.status !== 200) throw new Error(`GET /api/carrier/sync/${job.id} answered ${read.status}: ${JSON.stringify(read.body)}`);
    job = read.body as CarrierSyncJob;
    seen.push(job);
  }
  return { ...job, seen };
}
