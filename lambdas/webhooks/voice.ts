// The voice webhook: POST /twilio/voice and /twilio/voice/* (steps, screening,
// callbacks), as one middy pipeline around the Twilio guard. Whatever goes wrong after the signature
// check, the caller hears the safe answer: an apology and a voicemail into `unrouted` (DESIGN.md section 5).
import { singleParam, type TwilioParams, type WebhookEvent } from '../twilio/request';
import { safeVoiceTwiml } from '../twilio/twiml';
import { decodeState } from '../flows/call-state';
import { EMPTY_RESPONSE, HANGUP_RESPONSE, twiml, type Response } from './answers';

const LEAVE_RESPONSE = '<?xml version="1.0" encoding="UTF-8"?><Response><Leave/></Response>';
const AGENT_SORRY = '<?xml version="1.0" encoding="UTF-8"?><Response><Say>Sorry, this call cannot be connected. Goodbye.</Say><Hangup/></Response>';
import { newWebhookCaches } from './caches';
import { recordingAnswer } from './callbacks';
import { CallRequest } from './call-links';
import type { WebhookDeps } from './deps';
import { twilioWebhook, type TwilioRequest, type WebhookHandler } from './guard';
import { RoundRobinLedger } from './round-robin-ledger';
import { unroutedCall } from './unrouted';
import { dispatchVoice } from './voice-dispatch';

/** Callbacks carry their own ids (RecordingSid...) and may lack From/To; a new call needs all three. */
function missingVoiceParams(route: string, params: TwilioParams): string[] {
  if (['voice/recording', 'voice/transcription', 'voice/answered', 'voice/whisper', 'voice/leg', 'voice/agent-status', 'voice/queue-bridged'].includes(route)) return [];
  // Absent, not empty: a withheld caller may arrive as `From=` and is still a caller. Steps carry From/To in our URL.
  const required = route.startsWith('voice/') ? ['CallSid'] : ['CallSid', 'From', 'To'];
  return required.filter((k) => singleParam(params, k) === undefined);
}

/** The safe answer of each route: the caller's apology and voicemail, except where nobody hears it. */
async function safeVoiceAnswer(deps: WebhookDeps, request: TwilioRequest, reason: string, ledger: RoundRobinLedger | undefined): Promise<Response> {
  const call = new CallRequest(request);
  // A call that took a round-robin start and will not dial gives it back (beside the safe answer's own bookkeeping).
  const [answer] = await Promise.all([safeVoiceTwimlFor(deps, request, call, reason), ledger?.answeredSafely()]);
  return answer;
}

function safeVoiceTwimlFor(deps: WebhookDeps, request: TwilioRequest, call: CallRequest, reason: string): Promise<Response> | Response {
  switch (request.route) {
    // The answering member's leg (never the caller's apology) and callbacks nobody hears.
    case 'voice/answered':
    case 'voice/whisper':
    case 'voice/leg':
    case 'voice/agent-status':
    case 'voice/queue-bridged':
    case 'voice/transcription':
      return twiml(EMPTY_RESPONSE);
    // A member picking up an offer: never the caller's apology and voicemail.
    case 'voice/agent':
      return twiml(AGENT_SORRY);
    // A queued caller: out of the queue, to its action (which answers safely in turn if it must).
    case 'voice/queue-wait':
      return twiml(LEAVE_RESPONSE);
    case 'voice/recording':
      return recordingAnswer(call);
    // The Record action of a flow's voicemail: the caller has left the message (its status callback
    // stores or spills it), so the call ends here; the apology would ask them to record it again.
    case 'voice/step':
      if (decodeState(request.query)?.step === 'voicemail') return twiml(HANGUP_RESPONSE);
      return unroutedCall(deps, call, reason);
    default:
      return unroutedCall(deps, call, reason);
  }
}

/** Without the token nothing can be verified, so nothing is stored; a caller still hears the safe answer. */
function unverifiedVoiceAnswer(_event: WebhookEvent, base: string): Response {
  const recording = `${base}/twilio/voice/recording?mb=unrouted`;
  return twiml(safeVoiceTwiml({ recordAction: recording, recordingStatus: recording }));
}

export function voiceWebhook(deps: WebhookDeps): WebhookHandler {
  // Per container: revisions never change; the directory is kept a few seconds.
  const caches = newWebhookCaches();
  // Each request's round-robin starts, until its answer settles them (round-robin-ledger.ts).
  const ledgers = new WeakMap<TwilioRequest, RoundRobinLedger>();
  return twilioWebhook(
    {
      ...deps,
      missing: missingVoiceParams,
      unverified: unverifiedVoiceAnswer,
      safeAnswer: (request, reason) => safeVoiceAnswer(deps, request, reason, ledgers.get(request)),
    },
    (request) => {
      const ledger = new RoundRobinLedger(deps.state);
      ledgers.set(request, ledger);
      return dispatchVoice({ ...deps, state: ledger.tracking(deps.state) }, caches, request);
    },
  );
}
