// The whole system on one machine: DynamoDB Local, the tables, the demo data and the handlers over HTTP.
// Used by `npm start` (bin/local.ts) and by the end-to-end tests.
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startDynamoLocal, LOCAL_CREDENTIALS, LOCAL_REGION, type RunningDynamo } from './dynamodb-local';
import { ensureTables } from './tables';
import { localTableNames, tableEnv, type TableNames } from '../lambdas/store/tables';
import { createLocalServer, type LambdaHandler, type Routes } from './server';
import { DEMO_NUMBERS, seedDemo } from './seed';
import { startFakeTwilio, type FakeTwilio } from './fake-twilio';
import { DEFAULT_LOCAL_AUTH_TOKEN } from './carrier';
import { DEMO_STUDIO_DEFINITION, DEMO_STUDIO_FLOW_NAME, DEMO_STUDIO_NUMBER } from './studio-demo';
import { drainStores, SpoolDrain } from './spool-drain';
import { ENV } from '../lambdas/config/env';
import { staticFiles } from './static-files';
import { FileSpill } from '../lambdas/spill/file-spill';
import type { DashboardConfig, Role } from '../lambdas/api-types';
import { LocalAccounts } from './accounts';
import { useLocalAccounts } from '../lambdas/accounts/accounts';
import { jwtAuthorizer } from './jwt-authorizer';
import { DASHBOARD_SCOPE, startLocalOidc } from './oidc';
import type { LocalAuth } from './server';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** `GET /config.json`: how the page signs in (DashboardConfig). */
async function serveConfig(req: IncomingMessage, res: ServerResponse, config: DashboardConfig): Promise<boolean> {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || new URL(req.url ?? '/', 'http://local').pathname !== '/config.json') return false;
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).end(req.method === 'HEAD' ? undefined : JSON.stringify(config));
  return true;
}
import { DirJobQueue } from '../lambdas/jobs/dir-job-queue';
import { fromAddress } from '../lambdas/mail/mime';
import { EmlTransport, type WrittenMail } from './eml-transport';
import { JobDrain } from './job-drain';
import { adminDynamoClientConfig, createDynamoDb } from '../lambdas/store/dynamo-client';
import { createStores } from '../lambdas/store/stores';
import { carrierLinkFromEnv, type CarrierLink } from '../lambdas/carrier/carrier-link';
import { FileOutbox } from '../lambdas/outbox/file-outbox';
import { OutboxTextSender } from '../lambdas/carrier/queued-text';
import { localSenderDeps, OutboxSender } from './outbox-sender';

export interface LocalStackOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  /** Where the spill spool lives. @default `<dataDir>/spool`, or a temporary directory in memory mode */
  spoolDir?: string;
  /** Where the outbound texts wait for the sender. @default `<dataDir>/outbox`, or a temporary directory in memory mode */
  outboxDir?: string;
  /** Use this DynamoDB endpoint instead of starting DynamoDB Local (tests share one). */
  dynamoEndpoint?: string;
  tablePrefix?: string;
  seed?: boolean;
  /** A built dashboard (local/web-build.ts) to serve at `/`. */
  webDir?: string;
  /**
   * Also start the project's Twilio-compatible server (local/fake-twilio.ts) and point the carrier link
   * at it, with the demo numbers on its account (pointing at another system until a sync).
   */
  fakeTwilio?: boolean | { port?: number };
  /** Called for every email written (npm start prints them). */
  onMail?: (mail: WrittenMail) => void;
  /**
   * Sign-in (`npm start -- --auth`, DESIGN.md section 16): an OpenID provider on the same server with the
   * demo people as accounts, and the admin API closed to requests without a valid token.
   */
  auth?: boolean;
}

export interface LocalSignIn {
  issuer: string;
  clientId: string;
  accounts: LocalAccounts;
  /** The demo accounts' passwords, made at start (printed by `npm start`). */
  passwords: Array<{ email: string; role: Role; password: string }>;
}

export interface LocalStack {
  url: string;
  authToken: string;
  tables: TableNames;
  dynamo?: RunningDynamo;
  dynamoEndpoint: string;
  seeded: boolean;
  /** The spill spool (DESIGN.md section 11) and the loop that drains it into DynamoDB. */
  spool: { dir: string; drain: SpoolDrain };
  /** The outbound texts' queue (DESIGN.md section 17) and the in-process sender that sends them. */
  outbox: { dir: string; sender: OutboxSender };
  fakeTwilio?: FakeTwilio;
  /** With `auth`: the provider and its accounts. */
  signIn?: LocalSignIn;
  /** Emails of voicemails, as `.eml` files (`<dataDir>/mail`, or a temporary directory in memory mode), and the job queue they go through. */
  mail: { dir: string; drain: JobDrain };
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const dynamo = options.dynamoEndpoint ? undefined : await startDynamoLocal({ dataDir: options.dataDir });
  const endpoint = options.dynamoEndpoint ?? dynamo!.endpoint;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 3000;
  const tables = localTableNames(options.tablePrefix);
  // The handlers read their configuration from the environment at load, exactly as in Lambda.
  Object.assign(process.env, tableEnv(tables), {
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: process.env.AWS_REGION ?? LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    // Lets the carrier simulator's --at clock header through; never set in AWS.
    [ENV.local]: '1',
    // Without sign-in the admin API takes every request as an admin's; with it, tokens are checked.
    [ENV.adminAccess]: options.auth ? 'closed' : 'open',
  });
  process.env[ENV.authToken] ??= DEFAULT_LOCAL_AUTH_TOKEN;
  // Memory mode keeps its spool in a temporary directory, removed on stop when nothing waits in it.
  const spoolDir = options.spoolDir ?? (options.dataDir ? path.join(path.resolve(options.dataDir), 'spool') : mkdtempSync(path.join(tmpdir(), 'switchboard-spool-')));
  const temporarySpool = !options.spoolDir && !options.dataDir;
  process.env[ENV.spillSpoolDir] = spoolDir;
  const spill = new FileSpill(spoolDir);
  // The outbound texts' queue: the webhooks and the drain put texts there, the sender sends them in-process.
  const outboxDir = options.outboxDir ?? (options.dataDir ? path.join(path.resolve(options.dataDir), 'outbox') : mkdtempSync(path.join(tmpdir(), 'switchboard-outbox-')));
  const temporaryOutbox = !options.outboxDir && !options.dataDir;
  process.env[ENV.outboxSpoolDir] = outboxDir;
  const outbox = new FileOutbox(outboxDir);
  // Emails: the webhooks hand them to the job queue directory; the job queue drain writes each as an .eml file.
  const dataDir = options.dataDir ? path.resolve(options.dataDir) : mkdtempSync(path.join(tmpdir(), 'switchboard-mail-'));
  const jobQueue = new DirJobQueue(path.join(dataDir, 'jobs'));
  process.env[ENV.jobDir] = jobQueue.dir;
  const mailDir = path.join(dataDir, 'mail');
  const from = fromAddress(process.env[ENV.emailFrom] || 'localhost');
  // Queue offers go through the same job queue: placed with the carrier link (the fake carrier, or a real
  // account), their TwiML and callbacks at this server's public URL (known once it listens).
  const workerDb = createDynamoDb({ endpoint, ...adminDynamoClientConfig });
  const workerStores = createStores(workerDb, tables);
  let carrier: CarrierLink | undefined;
  const mailDrain = new JobDrain(jobQueue, {
    mail: new EmlTransport(mailDir, options.onMail),
    from,
    now: () => new Date(),
    queues: {
      queues: workerStores.queues,
      directory: workerStores.directory,
      presence: workerStores.presence,
      carrier: () => (carrier ??= carrierLinkFromEnv()).api(),
      get publicUrl() {
        return process.env[ENV.publicUrl] ?? '';
      },
      now: () => new Date(),
    },
  });
  // After JOB_DIR is set: late routing hands a late voicemail's emails to the job queue.
  const stores = drainStores(endpoint, tables, new OutboxTextSender(outbox));
  const drain = new SpoolDrain(spill, stores);
  const senderDeps = localSenderDeps(endpoint, tables);
  const sender = new OutboxSender(outbox, senderDeps);
  const stopDrain = async () => {
    await mailDrain.stop();
    // Memory mode keeps nothing: its mail folder (and job queue) goes with it; --data-dir keeps them.
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    await drain.stop();
    await sender.stop();
    stores.destroy();
    workerDb.destroy();
    senderDeps.destroy();
    if (temporarySpool && spill.isEmpty()) rmSync(spoolDir, { recursive: true, force: true });
    if (temporaryOutbox && outbox.spool.isEmpty()) rmSync(outboxDir, { recursive: true, force: true });
  };
  let stopServer: (() => Promise<void>) | undefined;
  let fakeTwilio: FakeTwilio | undefined;
  try {
    if (options.fakeTwilio) fakeTwilio = await startDemoCarrier(typeof options.fakeTwilio === 'object' ? options.fakeTwilio.port : undefined);
    const client = new DynamoDBClient({ endpoint });
    await ensureTables(client, tables);
    client.destroy();
    // Listen first so the public URL (and the port, when 0) is known before the handlers load their configuration.
    // eslint-disable-next-line prefer-const -- assigned once, below, but read before that by the server's closure
    let routes: Routes | undefined;
    let auth: LocalAuth | undefined;
    // The page learns how to sign in from /config.json (in AWS, a file the deployment writes beside it).
    let dashboardConfig: DashboardConfig = { auth: null };
    const files = options.webDir ? staticFiles(options.webDir) : undefined;
    const server = createLocalServer(() => routes, {
      static: async (req, res) => (await serveConfig(req, res, dashboardConfig)) || (files ? files(req, res) : false),
      listenHost: host,
      publicUrl: () => process.env[ENV.publicUrl],
      // Filled in once the provider knows its URL (the port may be 0 until the server listens).
      auth: options.auth ? { handle: (req, res) => auth?.handle(req, res) ?? Promise.resolve(false), checkToken: (header) => auth!.checkToken(header) } : undefined,
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    stopServer = () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    const actualPort = (server.address() as AddressInfo).port;
    // A wildcard listen address is not a URL anyone calls: signatures are checked against loopback then.
    const wildcard = host === '0.0.0.0' || host === '::' || host === '[::]';
    const url = `http://${wildcard ? '127.0.0.1' : host}:${actualPort}`;
    process.env[ENV.publicUrl] ??= url;
    // Links in emails open the dashboard this server serves.
    process.env[ENV.dashboardUrl] ??= url;
    let signIn: LocalSignIn | undefined;
    useLocalAccounts(undefined);
    if (options.auth) {
      const accounts = new LocalAccounts();
      // Filled in once the demo is seeded: every directory user with an email has an account, in their role.
      const passwords: LocalSignIn['passwords'] = [];
      const oidc = await startLocalOidc(url, accounts);
      // Invitations from the admin API create accounts here; the password is printed, as Cognito would email it.
      useLocalAccounts({
        invite: async (invitation) => {
          const { password } = accounts.add(invitation);
          passwords.push({ email: invitation.email, role: invitation.role, password });
          if (!process.env.SWITCHBOARD_QUIET_CARRIER) console.log(`[accounts] ${invitation.name} <${invitation.email}> invited as ${invitation.role}: password ${password}`);
        },
        remove: async (email) => {
          accounts.remove(email);
        },
        setRole: async (email, role) => {
          const found = accounts.setRole(email, role);
          for (const p of passwords) if (p.email === email.trim().toLowerCase()) p.role = role;
          return found;
        },
      });
      const checkToken = jwtAuthorizer({ issuer: oidc.issuer, audience: [oidc.clientId] });
      auth = { handle: oidc.handle, checkToken };
      signIn = { issuer: oidc.issuer, clientId: oidc.clientId, accounts, passwords };
      dashboardConfig = { auth: { authority: oidc.issuer, clientId: oidc.clientId, scope: DASHBOARD_SCOPE } };
    }
    const { handler: admin } = await import('../lambdas/handlers/admin-api');
    const { handler: voice } = await import('../lambdas/handlers/voice-webhook');
    const { handler: sms } = await import('../lambdas/handlers/sms-webhook');
    const { handler: fallback } = await import('../lambdas/handlers/fallback-webhook');
    const { dynamoDb } = await import('../lambdas/store/dynamo-client');
    const handlerStores = createStores(dynamoDb(), tables);
    // Numbers kept in --data-dir from before the listed index are listed now (an upgrade's one-off; a no-op after).
    await handlerStores.numbers.backfillListing();
    const seeded = options.seed === false ? false : (await seedDemo({ ...handlerStores, now: () => new Date() })).seeded;
    if (signIn) {
      // The directory user's role is the account's (docs/decisions.md, "One role per person"): the demo
      // people (one of each role) and anyone invited before a restart with --data-dir, new passwords each time.
      const people = (await handlerStores.directory.listUsers()).filter((u) => u.email).sort((a, b) => a.email!.localeCompare(b.email!));
      for (const u of people) {
        const role = u.role ?? 'member';
        signIn.passwords.push({ email: u.email!.toLowerCase(), role, password: signIn.accounts.add({ email: u.email!, name: u.name, role }).password });
      }
    }
    routes = { admin, voice, sms: fakeTwilio ? carrierSeesTexts(sms as LambdaHandler, fakeTwilio) : sms, fallback } as Routes;
    // What a previous run spilled (and could not drain before it stopped) goes in now, then every second.
    drain.start();
    void drain.drainNow().catch(() => undefined);
    // Texts queued before a stop go out now, then the outbox is looked at every OUTBOX_INTERVAL_MS.
    sender.start();
    mailDrain.start();
    return {
      url,
      authToken: process.env[ENV.authToken]!,
      tables,
      dynamo,
      dynamoEndpoint: endpoint,
      seeded,
      spool: { dir: spoolDir, drain },
      outbox: { dir: outboxDir, sender },
      fakeTwilio,
      signIn,
      mail: { dir: mailDir, drain: mailDrain },
      stop: async () => {
        await stopServer?.();
        await fakeTwilio?.stop();
        await stopDrain();
        await dynamo?.stop();
      },
    };
  } catch (err) {
    await stopServer?.();
    await fakeTwilio?.stop();
    await stopDrain();
    await dynamo?.stop();
    throw err;
  }
}

/**
 * A landline, for the demo carrier (`--fake-twilio`): texts to it are accepted, then end `undelivered`
 * with 30006, as Twilio reports them. Call from it (`npm run call -- --from ...`) and its text-back fails.
 */
export const DEMO_LANDLINE = '+15550199999';

/**
 * Other numbers on the demo account: Switchboard does not know them until `npm run carrier -- sync` (or, for
 * the Studio demo flow's number, local/studio-demo.ts, `npm run import -- studio --from-twilio --take-over`).
 */
export const DEMO_CARRIER_ONLY = [{ phoneNumber: '+15550100004', friendlyName: 'Support line' }];

/**
 * The fake carrier, with the same auth token the webhooks check (Twilio uses one token for both), the
 * demo numbers pointing at "another system", and the carrier link's environment set before the handlers load.
 */
/**
 * Twilio sees every text it delivers to the webhook: with the fake carrier running, a STOP posted to
 * /twilio/sms (and answered 200) opts its sender out of the number at the carrier too, START back in, so
 * the fake refuses later sends with 21610 as Twilio would (DESIGN.md section 17).
 */
function carrierSeesTexts(handler: LambdaHandler, fake: FakeTwilio): LambdaHandler {
  return async (event) => {
    const answer = await handler(event);
    // The sms function also takes the status callbacks of our own texts: those are no incoming text.
    if (!event.rawPath.endsWith('/twilio/sms')) return answer;
    const status = typeof answer === 'object' ? answer.statusCode : 200;
    if (status === 200 && event.body) {
      const form = new URLSearchParams(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body);
      const [from, to] = [form.get('From'), form.get('To')];
      if (from && to) fake.receivedText(from, to, form.get('Body') ?? '');
    }
    return answer;
  };
}

async function startDemoCarrier(port?: number): Promise<FakeTwilio> {
  const fake = await startFakeTwilio({
    port,
    authToken: process.env[ENV.authToken],
    accountSid: process.env[ENV.accountSid],
    landlines: [DEMO_LANDLINE],
    onMessage: (m) => process.env.SWITCHBOARD_QUIET_CARRIER || console.log(`[fake-twilio] text ${m.sid} from ${m.from} to ${m.to}: ${JSON.stringify(m.body)}`),
  });
  const elsewhere = { voiceUrl: 'https://old-pbx.example.net/voice', smsUrl: 'https://old-pbx.example.net/sms' };
  for (const [name, number] of Object.entries(DEMO_NUMBERS)) fake.addNumber({ phoneNumber: number, friendlyName: `${name[0].toUpperCase()}${name.slice(1)} line`, ...elsewhere });
  for (const n of DEMO_CARRIER_ONLY) fake.addNumber({ ...n, ...elsewhere });
  // A number a Studio flow answers, for `npm run import -- studio --from-twilio --take-over` to move here.
  fake.addNumber({ phoneNumber: DEMO_STUDIO_NUMBER, friendlyName: `${DEMO_STUDIO_FLOW_NAME} line` });
  fake.addStudioFlow(DEMO_STUDIO_FLOW_NAME, DEMO_STUDIO_DEFINITION, { servesNumber: DEMO_STUDIO_NUMBER });
  Object.assign(process.env, { [ENV.apiUrl]: fake.url, [ENV.accountSid]: fake.accountSid });
  return fake;
}
