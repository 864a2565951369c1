// `npm start`: the whole system on 127.0.0.1 with no AWS account (DESIGN.md section 9).
import { parseArgs } from 'node:util';
import { DEMO_LANDLINE, startLocalStack } from '../local/stack';
import { ENV } from '../lambdas/config/env';
import { DEFAULT_LOCAL_AUTH_TOKEN } from '../local/carrier';
import { DEMO_NUMBERS, DEMO_PIN } from '../local/seed';
import { DEMO_STUDIO_FLOW_NAME, DEMO_STUDIO_NUMBER } from '../local/studio-demo';
import { buildDashboard } from '../local/web-build';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'fake-twilio': { type: 'boolean' },
      auth: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(`npm start [-- --data-dir DIR] [--port 3000] [--host 127.0.0.1] [--fake-twilio] [--auth]

Starts DynamoDB Local (in memory unless --data-dir), creates the tables, seeds the demo and serves the
admin API, the Twilio webhooks and the dashboard (built from web/ at start). --fake-twilio also starts a
Twilio-compatible REST server holding the demo numbers (pointing at another system until
\`npm run carrier -- sync\`) and a Studio flow answering ${DEMO_STUDIO_NUMBER} (\`npm run import -- studio --from-twilio\`),
and sends texts to it. --auth turns on sign-in: an OpenID provider on the same server with the demo people
as accounts (passwords printed at start), and the admin API checks tokens and roles as in AWS; the
command-line tools keep working (they use /cli/api/*).
Environment: PORT, PUBLIC_URL, TWILIO_AUTH_TOKEN; TWILIO_ACCOUNT_SID and TWILIO_API_URL for a real account.`);
    return;
  }
  const port = Number(values.port ?? process.env.PORT ?? 3000);
  process.stdout.write('Building the dashboard...\n');
  const webDir = await buildDashboard();
  process.stdout.write('Starting DynamoDB Local...\n');
  const stack = await startLocalStack({
    // The fake carrier listens next door (PORT+1), where `npm run call` looks for it (queued callers wait there).
    port, host: values.host, dataDir: values['data-dir'], webDir, fakeTwilio: values['fake-twilio'] ? { port: port + 1 } : false,
    onMail: (m) => console.log(`[mail] to ${m.to}: ${JSON.stringify(m.subject)} → ${m.file}`),
    auth: values.auth,
  });
  if (!values.auth && !['127.0.0.1', 'localhost', '::1', undefined].includes(values.host)) {
    console.warn(`\nWARNING: listening on ${values.host}: the admin API has no authentication in local mode; anyone who can reach this address can change flows.`);
  }
  const studioSid = stack.fakeTwilio?.numberFor(DEMO_STUDIO_NUMBER)?.voice_url?.split('/').pop();
  // A token of the user's own is a secret: only the built-in default is printed.
  const token = stack.authToken === DEFAULT_LOCAL_AUTH_TOKEN ? `${stack.authToken} (default; set TWILIO_AUTH_TOKEN to change)` : '(from TWILIO_AUTH_TOKEN, not shown)';
  console.log(`
Switchboard is running.
  Dashboard         ${stack.url}/
  API and webhooks  ${stack.url}   (public URL for signatures: ${process.env.PUBLIC_URL})
  DynamoDB Local    ${stack.dynamoEndpoint}${values['data-dir'] ? `   data kept in ${values['data-dir']}` : '   in memory'}
  Tables            ${Object.values(stack.tables).join(', ')}
  Spill spool       ${stack.spool.dir}   (what DynamoDB could not take; drained every second once it answers)
  Mail              ${stack.mail.dir}   (voicemail emails as .eml files, printed here as they are written)
  Outbound texts    ${stack.outbox.dir}   (queued by the webhooks, sent from here; GET /api/carrier/messages)
  Demo data         ${stack.seeded ? 'seeded' : 'already there (kept)'}: "Main line" on ${DEMO_NUMBERS.main} and ${DEMO_NUMBERS.sales}; ${DEMO_NUMBERS.spare} has no flow; the "US office" schedule
  Twilio auth token ${token}
  Sign-in           ${stack.signIn ? `on: OpenID provider ${stack.signIn.issuer}; open the dashboard at ${stack.url}/ and sign in as
${stack.signIn.passwords.map((p) => `                      ${p.email.padEnd(18)} ${p.role.padEnd(7)} password ${p.password}`).join('\n')}
                    (new passwords at every start; /api/* needs a token, the command-line tools use /cli/api/*)` : 'off: the admin API is open on this address (npm start -- --auth signs people in)'}
  Carrier REST API  ${stack.fakeTwilio ? `${stack.fakeTwilio.url} (fake Twilio, account ${stack.fakeTwilio.accountSid}; texts are printed here)` : process.env[ENV.accountSid] ? `${process.env[ENV.apiUrl] || 'https://api.twilio.com'} (account ${process.env[ENV.accountSid]})` : 'not configured (--fake-twilio, or TWILIO_ACCOUNT_SID): texts are not sent'}

Try it:
  curl -s ${stack.url}${stack.signIn ? '/cli' : ''}/api/flows
  curl -s '${stack.url}${stack.signIn ? '/cli' : ''}/api/numbers?status=no_flow'
  npm run call -- --to ${DEMO_NUMBERS.main} --digits 1 --dial no-answer,completed
  npm run sms -- --to ${DEMO_NUMBERS.main} --body "hello"
  npm run sms -- --from +15550200002 --to ${DEMO_NUMBERS.main} --body "CLOSE US office until 17:00 ${DEMO_PIN}"   # Bob (editor) closes a schedule
  npm run report${stack.fakeTwilio ? `
  npm run carrier -- status        # the account's numbers: not connected yet
  npm run import -- studio --from-twilio   # the account's Studio flows: "${DEMO_STUDIO_FLOW_NAME}" answers ${DEMO_STUDIO_NUMBER}
  npm run import -- studio --from-twilio --flow ${studioSid} --take-over --mailbox Sales
  npm run carrier -- sync          # imports the other numbers and points every number here
  curl -s '${stack.url}${stack.signIn ? '/cli' : ''}/api/carrier/messages'   # every text sent through the REST API, with its delivery
  (${DEMO_LANDLINE} is a landline on the fake carrier: a text to it, e.g. a flow's text applet calling it back,
   ends undelivered with 30006)` : ''}

Ctrl-C stops everything.`);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the server and DynamoDB Local...`);
    await stack.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

// The console shows the handlers' JSON log lines; their EMF metric records would only be noise here
// (POWERTOOLS_METRICS_DISABLED=false brings them back). The tests run the stack with metrics on.
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
main().catch((err) => {
  console.error(`npm start failed: ${(err as Error).message}`);
  process.exit(1);
});
