// The account's Twilio Studio flows (DESIGN.md section 18): which of the account's numbers each serves (a
// number is a Studio flow's when its Voice or Messaging URL is the flow's webhook,
// https://webhooks.twilio.com/v1/Accounts/AC…/Flows/FW…), one flow's definition for the import, and the
// take-over that assigns a Studio flow's numbers to the imported flow and points them here, as the sync does.
import type { StudioFlowDetail, StudioFlowList, StudioFlowSummary, StudioNumber, StudioTakeOver } from '../api-types';
import { CarrierError, NotFoundError } from '../errors';
import type { NumberStore } from '../store/number-store';
import type { CarrierApi, StudioFlowResource, TwilioNumberResource } from './carrier-link';
import { connectUpdate, nameFromFriendly, ownSettingsAreOurs, webhookUrls } from './numbers';

export const STUDIO_FLOW_SID = /^FW[0-9a-fA-F]{32}$/;
const STUDIO_WEBHOOK = /^https?:\/\/webhooks\.twilio\.com\/v1\/Accounts\/AC[0-9a-fA-F]{32}\/Flows\/(FW[0-9a-fA-F]{32})\/?$/;

/** The Studio flow a Voice or Messaging URL hands calls or texts to, if it is a Studio webhook. */
export function studioFlowOf(url: string | null | undefined): string | undefined {
  return STUDIO_WEBHOOK.exec(url?.trim() ?? '')?.[1];
}

/** The numbers a Studio flow serves, and by which of their URLs. */
function numbersOf(flowSid: string, numbers: readonly TwilioNumberResource[]): StudioNumber[] {
  return numbers
    .map((n) => ({ n, voice: studioFlowOf(n.voice_url) === flowSid, sms: studioFlowOf(n.sms_url) === flowSid }))
    .filter(({ voice, sms }) => voice || sms)
    .map(({ n, voice, sms }) => ({ number: n.phone_number, sid: n.sid, friendlyName: n.friendly_name, voice, sms }));
}

const summary = (f: StudioFlowResource, numbers: readonly TwilioNumberResource[]): StudioFlowSummary => ({
  sid: f.sid,
  friendlyName: f.friendly_name,
  status: f.status,
  revision: f.revision,
  numbers: numbersOf(f.sid, numbers),
});

/** `GET /api/carrier/studio-flows`: every Studio flow of the account, with the numbers it serves. */
export async function listStudioFlows(carrier: Pick<CarrierApi, 'listStudioFlows' | 'listIncomingPhoneNumbers'>): Promise<StudioFlowList> {
  const [flows, numbers] = await Promise.all([carrier.listStudioFlows(), carrier.listIncomingPhoneNumbers()]);
  return { flows: flows.map((f) => summary(f, numbers)) };
}

/** `GET /api/carrier/studio-flows/{sid}`: one flow with its definition (what the import takes). */
export async function getStudioFlow(carrier: Pick<CarrierApi, 'fetchStudioFlow' | 'listIncomingPhoneNumbers'>, sid: string): Promise<StudioFlowDetail> {
  const [flow, numbers] = await Promise.all([
    carrier.fetchStudioFlow(sid).catch((err: unknown) => {
      if (err instanceof CarrierError && err.status === 404) throw new NotFoundError(`Studio flow ${sid}`);
      throw err;
    }),
    carrier.listIncomingPhoneNumbers(),
  ]);
  return { ...summary(flow, numbers), definition: flow.definition };
}

export interface TakeOverDeps {
  numbers: Pick<NumberStore, 'find' | 'register'>;
  carrier: Pick<CarrierApi, 'listIncomingPhoneNumbers' | 'updateIncomingPhoneNumber'>;
  now(): Date;
}

/**
 * The Studio flow's numbers move to flow `flowId`: each is registered if Switchboard does not know it (under
 * its friendly name), assigned the flow, then pointed here (all four URLs, as the sync does: a number is
 * Switchboard's or not). Assigned first, so the first call that arrives here finds its flow. One number at
 * a time (Twilio's rate limits); safe to run again.
 */
export async function takeOverStudioNumbers(deps: TakeOverDeps, studioSid: string, flowId: string, publicUrl: string): Promise<StudioTakeOver> {
  const urls = webhookUrls(publicUrl);
  const account = await deps.carrier.listIncomingPhoneNumbers();
  const served = account.filter((n) => studioFlowOf(n.voice_url) === studioSid || studioFlowOf(n.sms_url) === studioSid);
  const numbers: StudioTakeOver['numbers'] = [];
  for (const n of served) {
    const known = await deps.numbers.find(n.phone_number);
    await deps.numbers.register(n.phone_number, known ? undefined : nameFromFriendly(n), flowId, deps.now());
    const connect = !ownSettingsAreOurs(n, urls);
    if (connect) await deps.carrier.updateIncomingPhoneNumber(n.sid, connectUpdate(urls));
    numbers.push({ number: n.phone_number, registered: !known, connected: connect });
  }
  return { flowId, numbers };
}
