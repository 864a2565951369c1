// A carrier link for tests: the project's Twilio-compatible server on loopback and a REST client to it.
import { FakeTwilio, startFakeTwilio } from '../../local/fake-twilio';
import type { CarrierLink } from '../../lambdas/carrier/carrier-link';
import { TwilioRestClient, type TwilioRestOptions } from '../../lambdas/carrier/twilio-rest';

export const PUBLIC_URL = 'https://calls.example.com';

export async function fakeCarrier(options: Omit<TwilioRestOptions, 'baseUrl'> = {}): Promise<{ fake: FakeTwilio; client: TwilioRestClient; link: CarrierLink }> {
  const fake = await startFakeTwilio();
  const client = new TwilioRestClient({ accountSid: fake.accountSid, authToken: fake.authToken }, { ...options, baseUrl: fake.url });
  return { fake, client, link: { publicUrl: PUBLIC_URL, api: async () => client } };
}
