// The report's look at the carrier: the account's numbers whose calls or texts go elsewhere
// (`not_connected`, with the reason and its fix), with the name and flow Switchboard knows them by. A carrier that cannot be read leaves the rest of the
// report intact and says why in `carrier`.
import type { NotConnectedReason } from '../api-types';
import type { CarrierLink } from '../carrier/carrier-link';
import { connections, nameFromFriendly, readCarrierAccount, webhookUrls, type CarrierAccount } from '../carrier/numbers';
import { CarrierNotConfiguredError } from '../errors';
import type { NumberStore } from '../store/number-store';
import { errorField, logger } from '../observability/logger';

export interface NotConnectedNumber {
  number: string;
  name: string;
  flowId: string | null;
  reason: NotConnectedReason;
  fix: string;
  /** When the number was last changed at the carrier (Twilio's date_updated): as near as the API tells. */
  since: string;
}

export type CarrierCheckResult = { checked: true; numbers: NotConnectedNumber[] } | { checked: false; reason: string };

export interface CarrierCheck {
  notConnected(): Promise<CarrierCheckResult>;
}

/** What the check needs of the carrier link: where the numbers must point, and the account (its numbers and Messaging Services). */
export interface CarrierCheckLink {
  publicUrl?: CarrierLink['publicUrl'];
  account(): Promise<CarrierAccount>;
}

/** The check's view of a carrier link: the account read live. */
export const liveAccount = (link: CarrierLink): CarrierCheckLink => ({ publicUrl: link.publicUrl, account: async () => readCarrierAccount(await link.api()) });

export function carrierCheck(link: CarrierCheckLink, numbers: Pick<NumberStore, 'find'>, now: () => Date = () => new Date()): CarrierCheck {
  return {
    async notConnected() {
      if (!link.publicUrl) return { checked: false, reason: 'PUBLIC_URL is not set: where the numbers should point is unknown' };
      try {
        const urls = webhookUrls(link.publicUrl);
        const account = await link.account();
        // Reads grow with the numbers that need attention, not with the account.
        const lost = connections(account, urls).flatMap(({ number, connection }) => (connection.connected ? [] : [{ n: number, connection }]));
        return {
          checked: true,
          numbers: await Promise.all(
            lost.map(async ({ n, connection }) => {
              const known = await numbers.find(n.phone_number);
              const updated = n.date_updated ? Date.parse(n.date_updated) : NaN;
              return {
                number: n.phone_number,
                name: known?.name ?? nameFromFriendly(n),
                flowId: known?.flowId ?? null,
                reason: connection.reason,
                fix: connection.fix,
                since: (Number.isNaN(updated) ? now() : new Date(updated)).toISOString(),
              };
            }),
          ),
        };
      } catch (err) {
        if (!(err instanceof CarrierNotConfiguredError)) logger.error('the report could not read the carrier’s numbers', { error: errorField(err) });
        return { checked: false, reason: (err as Error).message };
      }
    },
  };
}
