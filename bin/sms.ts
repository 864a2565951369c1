// `npm run sms`: sends a text to the running local stack as Twilio would (DESIGN.md section 9).
import { parseArgs } from 'node:util';
import { DEFAULT_CALLER, DEFAULT_LOCAL_AUTH_TOKEN, describeEntry, localBaseUrl, simulateSms } from '../local/carrier';

const usage = `npm run sms -- --to +1555... --body TEXT [options]

Posts an incoming text to /twilio/sms, signed as Twilio signs it, and prints each <Message> of the answer.

  --to NUMBER        the number texted (required)
  --body TEXT        the text (required; may be "")
  --from NUMBER      the sender (default ${DEFAULT_CALLER})
  --media URL,URL    attached media (an MMS); the webhook keeps only Twilio's https URLs
                     (https://api.twilio.com/...), at most 10 (docs/decisions.md)
  --at ISO-TIME      the time the stack should see (local mode only)
  --url URL          the stack (default http://127.0.0.1:\${PORT:-3000})
  --token TOKEN      the auth token to sign with (default $TWILIO_AUTH_TOKEN, else ${DEFAULT_LOCAL_AUTH_TOKEN})
  --json             print the transcript as JSON lines
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      to: { type: 'string' },
      body: { type: 'string' },
      from: { type: 'string' },
      media: { type: 'string' },
      at: { type: 'string' },
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
  if (!values.to || values.body === undefined) {
    console.error(`--to and --body are required\n\n${usage}`);
    return 2;
  }
  if (values.at && Number.isNaN(Date.parse(values.at))) {
    console.error(`--at is not an ISO time: ${values.at}`);
    return 2;
  }
  const baseUrl = (values.url ?? localBaseUrl()).replace(/\/+$/, '');
  const transcript = await simulateSms({
    baseUrl,
    authToken: values.token ?? process.env.TWILIO_AUTH_TOKEN ?? DEFAULT_LOCAL_AUTH_TOKEN,
    to: values.to,
    from: values.from,
    body: values.body,
    media: values.media ? values.media.split(',').map((m) => m.trim()).filter(Boolean) : [],
    at: values.at,
    onEntry: (entry) => console.log(values.json ? JSON.stringify(entry) : describeEntry(entry, baseUrl)),
  });
  if (transcript.ok && !values.json && !transcript.entries.some((e) => e.kind === 'message')) console.log('(no reply)');
  return transcript.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
