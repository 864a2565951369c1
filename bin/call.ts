// `npm run call`: plays a caller against the running local stack (DESIGN.md section 9).
import { parseArgs } from 'node:util';
import { DEFAULT_CALLER, DEFAULT_LOCAL_AUTH_TOKEN, DIAL_STATUSES, describeEntry, localBaseUrl, simulateCall, type DialStatus } from '../local/carrier';
import { AGENT_BEHAVIOURS, type AgentBehaviour } from '../local/fake-twilio-calls';

const usage = `npm run call -- --to +1555... [options]

Posts an incoming call to /twilio/voice, signed as Twilio signs it, follows the TwiML answers
(Say, Play, Gather, Dial, Record, Redirect, Hangup) and prints the conversation.

  --to NUMBER        the number called (required)
  --from NUMBER      the caller (default ${DEFAULT_CALLER})
  --digits 1,2       what the caller presses at each <Gather>, in order; an empty value or none
                     left means no input (Twilio then goes on with the verb after the Gather)
  --dial S1,S2       the outcome of each <Dial>, in order: ${DIAL_STATUSES.join(', ')}
                     (default no-answer); a screened call is accepted with 1
  --agent WHAT       what the members offered a queued call do: ${AGENT_BEHAVIOURS.join(', ')} (default answers)
  --carrier URL      the Twilio-compatible server the stack places calls through, where a queued caller
                     waits (default $TWILIO_API_URL, else http://127.0.0.1:\${PORT+1}: npm start -- --fake-twilio)
  --at ISO-TIME      the time the stack should see (local mode only)
  --url URL          the stack (default http://127.0.0.1:\${PORT:-3000})
  --token TOKEN      the auth token to sign with (default $TWILIO_AUTH_TOKEN, else ${DEFAULT_LOCAL_AUTH_TOKEN})
  --json             print the transcript as JSON lines
`;

const list = (value: string | undefined) => (value === undefined ? [] : value.split(',').map((v) => v.trim()));

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      from: { type: 'string' },
      digits: { type: 'string' },
      dial: { type: 'string' },
      at: { type: 'string' },
      agent: { type: 'string' },
      carrier: { type: 'string' },
      url: { type: 'string' },
      token: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  if (!values.to) {
    console.error(`--to is required\n\n${usage}`);
    return 2;
  }
  const dial = list(values.dial);
  const unknown = dial.filter((s) => !(DIAL_STATUSES as readonly string[]).includes(s));
  if (unknown.length) {
    console.error(`unknown --dial value(s): ${unknown.join(', ')} (one of ${DIAL_STATUSES.join(', ')})`);
    return 2;
  }
  if (values.agent !== undefined && !(AGENT_BEHAVIOURS as readonly string[]).includes(values.agent)) {
    console.error(`unknown --agent value: ${values.agent} (one of ${AGENT_BEHAVIOURS.join(', ')})`);
    return 2;
  }
  if (values.at && Number.isNaN(Date.parse(values.at))) {
    console.error(`--at is not an ISO time: ${values.at}`);
    return 2;
  }
  const baseUrl = (values.url ?? localBaseUrl()).replace(/\/+$/, '');
  const transcript = await simulateCall({
    baseUrl,
    authToken: values.token ?? process.env.TWILIO_AUTH_TOKEN ?? DEFAULT_LOCAL_AUTH_TOKEN,
    to: values.to,
    from: values.from,
    digits: list(values.digits),
    dial: dial as DialStatus[],
    at: values.at,
    carrierUrl: values.carrier ?? process.env.TWILIO_API_URL ?? `http://127.0.0.1:${Number(process.env.PORT || 3000) + 1}`,
    agent: (values.agent as AgentBehaviour | undefined) ?? 'answers',
    onEntry: (entry) => console.log(values.json ? JSON.stringify(entry) : describeEntry(entry, baseUrl)),
  });
  return transcript.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
