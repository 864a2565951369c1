// `npm run import -- studio <file.json> | --from-twilio [--flow FW…] [--take-over]`: Twilio Studio flows into
// Switchboard through the admin API of the local stack or, with --api, of a deployed stack, signed with your
// AWS credentials (DESIGN.md section 18; the work is local/studio-import.ts).
import { stackUrl } from '../local/cli-url';
import { parseArgs } from 'node:util';
import { signedFetch } from '../local/signed-fetch';
import { AdminApiError, formatOutcome, formatStudioFlows, importFile, importFromTwilio, listStudioFlows, type AdminRequest, type ImportOutcome } from '../local/studio-import';

const usage = `npm run import -- studio <flow.json> [options]
npm run import -- studio --from-twilio [--flow FW... | --all] [--take-over] [options]

  <flow.json>      a Studio flow definition (Studio's "Export to JSON", or a Flow as the REST API answers it)
  --from-twilio    the Twilio account's Studio flows, and the numbers each answers; without --flow or --all
                   they are listed, nothing is imported
  --flow FW...     import this Studio flow (repeat for several)
  --all            import every Studio flow of the account
  --take-over      once a flow is created, its Studio flow's numbers are assigned to it and their URLs
                   pointed here (as \`npm run carrier -- sync\` does); only a flow the checker passes is created

  --name NAME      the flow's name (default: the Studio flow's)
  --mailbox WHO    where voicemails land: a user or group, by name or id (user:NAME or group:NAME to say which);
                   without it, record-voicemail widgets are not imported
  --dry-run        print what the import would be, create nothing
  --json           print the outcome as JSON
  --url URL        the local stack (default http://127.0.0.1:\${PORT:-3000})
  --api ApiUrl     a deployed stack (the ApiUrl output): requests are signed with SigV4 from your AWS credentials

Each flow's report lists every Studio widget: what it became, or why it was not imported and what stands in
its place (a hangup in a call, the end of a text flow). A flow with checker errors is not created (exit 1).
`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      'from-twilio': { type: 'boolean' },
      flow: { type: 'string', multiple: true },
      all: { type: 'boolean' },
      'take-over': { type: 'boolean' },
      name: { type: 'string' },
      mailbox: { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
      url: { type: 'string' },
      api: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [format, file, ...extra] = positionals;
  const fromTwilio = values['from-twilio'] ?? false;
  const wrong = format !== 'studio' || extra.length > 0 || (fromTwilio ? file !== undefined : file === undefined) ||
    (!fromTwilio && (values.flow || values.all || values['take-over'])) || (values.flow && values.all);
  if (values.help || wrong) {
    console.log(usage);
    return values.help ? 0 : 2;
  }
  const base = stackUrl(values.api ?? values.url);
  const send = values.api ? signedFetch(base) : (path: string, init: RequestInit) => fetch(`${base}${path}`, init);
  const request: AdminRequest = async (method, path, body) => {
    let res: Response;
    try {
      // The command-line tools' routes (/cli/api/*: IAM in AWS, open to programs locally even with --auth).
      res = await send(`/cli${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new AdminApiError(`cannot reach ${base} (${(err as Error).cause ?? (err as Error).message}); is \`npm start\` running?`);
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = { error: { message: text.slice(0, 200) } };
    }
    return { status: res.status, body: json };
  };
  const options = { name: values.name, mailbox: values.mailbox, dryRun: values['dry-run'], takeOver: values['take-over'] };

  let outcomes: ImportOutcome[];
  if (fromTwilio) {
    const { flows } = await listStudioFlows(request);
    const sids = values.all ? flows.map((f) => f.sid) : (values.flow ?? []);
    if (sids.length === 0) {
      console.log(values.json ? JSON.stringify({ flows }, null, 2) : `${formatStudioFlows(flows)}\n\nPick with --flow FW... (or --all); --take-over also moves their numbers here.`);
      return 0;
    }
    outcomes = await importFromTwilio(request, sids, options);
  } else {
    outcomes = [await importFile(request, file!, options)];
  }
  console.log(values.json ? JSON.stringify({ imports: outcomes }, null, 2) : outcomes.map(formatOutcome).join('\n\n'));
  return outcomes.some((o) => o.notCreated && !options.dryRun) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`npm run import: ${(err as Error).message}`);
    process.exit(1);
  },
);
