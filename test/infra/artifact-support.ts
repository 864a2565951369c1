// Shared by the artifact tests (DESIGN.md section 10): synthesizes the app with real esbuild bundling,
// finds each Lambda's bundle through the cloud assembly's asset manifest (what `cdk deploy` uploads),
// builds its environment from the template, and runs it in a fresh Node process as Lambda would.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { TABLE_KEYS } from '../../lambdas/store/tables';
import { AwsCallProxy, ENDPOINT_VARIABLES, permissionsOf, type AwsCall } from '../support/aws-call-proxy';
import type { TestTables } from '../support/dynamo';
import { ARTIFACT_RUN_DIR, sharedAssembly } from './artifact-run';
import { describeRefusals, physicalValues, refusals, rolePolicies, type Refusal, type TestPlace } from '../support/role-policies';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

export interface Deployed {
  /** The handler file inside the uploaded asset directory. */
  bundleFile: string;
  /** The asset directory `cdk deploy` zips: everything the function gets. */
  assetDir: string;
  /** The function's environment as the template sets it, references replaced by local stand-ins. */
  environment: Record<string, string>;
  /** The function's logical id and construct path, to name it in a failure. */
  name: string;
  /**
   * The permissions these calls need that the function's role does not give, read from the synthesized
   * template (or `template`, a changed copy of it), with the test's stand-ins as the resources' names.
   */
  refusals(calls: readonly AwsCall[], template?: object): Refusal[];
}

export interface BundledApp {
  synth: Synthesized;
  outdir: string;
  /** The bundle and environment of a function of the stack. */
  deployed(fn: IConstruct): Deployed;
  /** Removes the cloud assembly, if it is this file's own. */
  dispose(): void;
}

/** Stands in for the Secrets Manager ARN the template passes (the tests set TWILIO_AUTH_TOKEN, or serve the secret on loopback). */
export const TEST_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:switchboard-artifact-test-AbCdEf';
/** Stands in for the spill queue's URL (the tests spill to a spool, or to a loopback SQS). */
export const TEST_SPILL_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/switchboard-artifact-spill';
/** Stands in for the background jobs queue's URL (voicemail emails, queue offers): the tests' flows hand it nothing. */
export const TEST_JOB_QUEUE_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/switchboard-artifact-jobs.fifo';
/** Stands in for the outbound texts' queue URL (the tests point SQS at a loopback stand-in). */
export const TEST_OUTBOX_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/switchboard-artifact-outbound';
/** Stands in for the carrier sync queue's URL (the admin function sends its steps there). */
export const TEST_SYNC_URL = 'https://sqs.us-east-1.amazonaws.com/123456789012/switchboard-artifact-sync';
/** The account and region the template's ARNs resolve to: the stand-ins' (the tables' ARNs are built in it). */
export const testPlace = (): TestPlace => ({ region: process.env.AWS_REGION ?? 'us-east-1', account: '123456789012' });

/**
 * The app synthesized with esbuild, as `cdk deploy` would upload it. In the artifact project the run
 * bundles once, into the folder its globalSetup made (artifact-run.ts), and every test file reads that
 * assembly; run outside it, a file bundles into a temporary assembly of its own. `standIns` maps the
 * logical id of a resource the environment references (a topic, a secret...) to the value to use locally,
 * or `env:NAME` to the value of a variable the template builds from several references (a URL); the test
 * tables stand in for the stack's tables.
 */
export async function synthBundled(tables: TestTables, standIns: (synth: Synthesized) => Record<string, string> = () => ({})): Promise<BundledApp> {
  const runDir = process.env[ARTIFACT_RUN_DIR];
  const ownDir = runDir ? undefined : mkdtempSync(path.join(tmpdir(), 'switchboard-artifact-'));
  try {
    const bundled = (outdir: string) => synthSwitchboard({}, { bundle: true, outdir });
    // The files that wait for the shared assembly synthesize without bundling meanwhile: the same
    // constructs and logical ids (~1 s), for the tests to point at functions and resources.
    const { outdir, value: synth } = runDir ? await sharedAssembly(runDir, bundled, () => synthSwitchboard()) : { outdir: ownDir!, value: bundled(ownDir!) };
    // The asset keys are the bundles' hashes: read them from the assembly on disk, not from a synth without bundling.
    const template = Template.fromJSON(JSON.parse(readFileSync(path.join(outdir, `${synth.stack.artifactId}.template.json`), 'utf8')));
    const localValues = new Map<string, string>(TABLE_KEYS.map((key) => [logicalId(synth.stack.data.tables[key]), tables.names[key]]));
    // Every queue, the secret, the user pool and the dashboard's URL have a stand-in, so a function that names one loads; a test's own stand-ins win.
    const queues: Record<string, string> = {
      [logicalId(synth.stack.webhooks.authToken)]: TEST_SECRET_ARN,
      [logicalId(synth.stack.spill.queue)]: TEST_SPILL_URL,
      [logicalId(synth.stack.outbound.queue)]: TEST_OUTBOX_URL,
      [logicalId(synth.stack.jobs.queue)]: TEST_JOB_QUEUE_URL,
      [logicalId(synth.stack.admin.syncQueue)]: TEST_SYNC_URL,
      // The admin function's user pool (invitations): no artifact test invites anyone (test/integration/invitations.test.ts does, against a stand-in Cognito).
      [logicalId(synth.stack.accounts.userPool)]: 'us-east-1_ArtifactTest',
      // Voicemail emails link to the hosted dashboard (its CloudFront URL unless dashboardUrl is given).
      'env:DASHBOARD_URL': 'https://dashboard.artifact.test',
    };
    for (const [id, value] of Object.entries({ ...queues, ...standIns(synth) })) localValues.set(id, value);
    // The resources the test stood in (by logical id), for the role check: env:NAME values are not resources.
    const standInResources = new Map([...localValues].filter(([id]) => !id.startsWith('env:')));
    return {
      synth,
      outdir,
      deployed: (fn) => {
        const functionId = logicalId(fn);
        const props = propertiesOf(template, functionId);
        const assetDir = assetDirectory(synth, outdir, props.Code.S3Key);
        return {
          bundleFile: path.join(assetDir, 'index.js'),
          assetDir,
          // Resolved when read: a test that only looks at the bundle needs no stand-ins.
          get environment() {
            return environmentOf(props.Environment?.Variables ?? {}, localValues);
          },
          name: `${functionId} (${fn.node.path})`,
          refusals: (calls, template = synth.template.toJSON()) => {
            const place = testPlace();
            const policies = rolePolicies(template as never, functionId, physicalValues(template as never, standInResources, place), place);
            return refusals(policies, calls.flatMap((call) => permissionsOf(call, place)));
          },
        };
      },
      // The shared assembly is the run's, removed by the project's globalTeardown.
      dispose: () => {
        if (ownDir) rmSync(ownDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
    throw err;
  }
}

/** The directory `cdk deploy` zips and uploads under this S3 key, read from the asset manifest. */
function assetDirectory(synth: Synthesized, outdir: string, s3Key: string): string {
  const manifest = JSON.parse(readFileSync(path.join(outdir, `${synth.stack.artifactId}.assets.json`), 'utf8'));
  const asset = manifest.files[s3Key.replace(/\.zip$/, '')];
  if (asset?.source.packaging !== 'zip') throw new Error(`asset ${s3Key} is not a zipped directory in the asset manifest: ${JSON.stringify(asset)}`);
  return path.join(outdir, asset.source.path);
}

/** The function's environment as the template sets it, with references pointing at local stand-ins. */
function environmentOf(variables: Record<string, unknown>, localValues: Map<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      const ref = (value as { Ref?: string }).Ref;
      const local = (ref && localValues.get(ref)) || localValues.get(`env:${name}`);
      if (!local) throw new Error(`environment variable ${name} = ${JSON.stringify(value)} has no local equivalent`);
      return [name, local];
    }),
  );
}

// A fresh Node process loads the bundle as Lambda does: plain CommonJS require at init, no Jest module
// registry or transform in between, and only the environment Lambda would give it (plus Node's own IPC
// channel variables). It then answers invocations one after the other, like a warm container, so
// in-memory caches carry over between the requests of one call as they do in AWS.
const RUNTIME = `
const bundle = process.argv[1];
let handler;
process.on('message', ({ id, event }) => {
  Promise.resolve()
    .then(() => handler(event, { awsRequestId: 'artifact-test-' + id }))
    .then((result) => process.send({ id, result }), (err) => process.send({ id, error: String(err && err.stack || err) }));
});
try {
  handler = require(bundle).handler;
} catch (err) {
  process.send({ init: String(err && err.stack || err) }, () => process.exit(1));
}
`;

/**
 * One warm Lambda container running a bundle; close() it at the end of the test. Its AWS calls go
 * through a recording proxy (test/support/aws-call-proxy.ts) on to where the test points them, and
 * close() fails when the function's role, as synthesized, would not allow one of them (DESIGN.md section 8).
 */
export class LambdaProcess {
  private child?: ChildProcess;
  private logText = '';
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private readonly started: Promise<void>;
  private exited: Promise<number | null> = Promise.resolve(null);
  private initError?: string;
  private readonly proxy: AwsCallProxy;

  /** `extraEnv` goes on top of the template's environment: what this test sets on purpose. */
  constructor(private readonly fn: Deployed, extraEnv: Record<string, string> = {}) {
    const env: Record<string, string | undefined> = {
      PATH: process.env.PATH,
      // Where the Lambda runtime keeps the AWS SDK it provides (the bundles carry their own; a require that escaped would find it, as in AWS).
      NODE_PATH: runtimeSdkModules(),
      AWS_REGION: process.env.AWS_REGION,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      ...fn.environment,
      ...extraEnv,
    };
    // Every service's endpoint (and any other's, through AWS_ENDPOINT_URL) is the proxy; it forwards
    // each call to where the test pointed that service.
    const upstreams = Object.fromEntries(Object.entries(ENDPOINT_VARIABLES).map(([service, variable]) => [service, env[variable]]));
    this.proxy = new AwsCallProxy(upstreams);
    this.started = this.proxy.listen().then((url) => {
      for (const variable of [...Object.values(ENDPOINT_VARIABLES), 'AWS_ENDPOINT_URL']) env[variable] = url;
      this.start(env);
    });
  }

  private start(env: Record<string, string | undefined>): void {
    const child = spawn(process.execPath, ['-e', RUNTIME, this.fn.bundleFile], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.child = child;
    child.stdout!.on('data', (d) => (this.logText += d));
    child.stderr!.on('data', (d) => (this.logText += d));
    child.on('message', (message: { id?: number; init?: string; result?: unknown; error?: string }) => {
      if (message.init !== undefined) {
        this.initError = message.init;
        return;
      }
      const waiting = this.pending.get(message.id!);
      if (!waiting) return;
      this.pending.delete(message.id!);
      if (message.error !== undefined) waiting.reject(new Error(`the handler threw: ${message.error}\n${this.logText}`));
      else waiting.resolve(message.result);
    });
    this.exited = new Promise((resolve) => {
      child.on('error', (err) => {
        this.failPending(`the bundle's process failed: ${err}`);
        resolve(null);
      });
      // 'close', not 'exit': by then stdout and stderr are read to the end.
      child.on('close', (code) => {
        const why = this.initError ? `the bundle failed to load: ${this.initError}` : `the bundle exited (${code}) without answering`;
        this.failPending(`${why}\n${this.logText}`);
        resolve(code);
      });
    });
  }

  private failPending(message: string): void {
    for (const waiting of this.pending.values()) waiting.reject(new Error(message));
    this.pending.clear();
  }

  async invoke<T>(event: unknown): Promise<T> {
    await this.started;
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.child!.send({ id, event }, (err) => {
        if (err && this.pending.delete(id)) reject(new Error(`could not reach the bundle's process: ${err}\n${this.logText}`));
      });
    });
  }

  /** What the function wrote to stdout and stderr so far: its logs, and EMF metrics. */
  get logs(): string {
    return this.logText;
  }

  /** The AWS calls the function made so far, in order. */
  get calls(): readonly AwsCall[] {
    return [...this.proxy.calls];
  }

  /**
   * Ends the process (the one this object started) and returns everything it logged; fails when the
   * function made an AWS call its role would not allow, naming the function, the action and the resource.
   */
  async close(): Promise<string> {
    await this.started.catch(() => undefined);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) child.kill();
    await this.exited;
    await this.proxy.close();
    const refused = this.fn.refusals(this.proxy.calls);
    if (refused.length > 0) throw new Error(describeRefusals(this.fn.name, refused));
    return this.logText;
  }
}

export interface Invocation<T> {
  result: T;
  /** What the function wrote to stdout and stderr: its logs, and EMF metrics. */
  logs: string;
}

/** A cold start answering one event, in its own process. */
export async function invokeOnce<T>(fn: Deployed, event: unknown, extraEnv: Record<string, string> = {}): Promise<Invocation<T>> {
  const lambda = new LambdaProcess(fn, extraEnv);
  try {
    const result = await lambda.invoke<T>(event);
    return { result, logs: await lambda.close() };
  } catch (err) {
    // The invocation's own error says more than a role check of a half-done request would.
    await lambda.close().catch(() => undefined);
    throw err;
  }
}

let sdkModules: string | undefined;

/**
 * A node_modules folder holding only what the Node.js 22 Lambda runtime provides: the AWS SDK v3
 * packages and their dependencies (the project's pinned copies). Anything else a bundle needs at run
 * time must be in the bundle: a dependency left out by mistake fails here, as it would in AWS.
 */
export function runtimeSdkModules(): string {
  if (sdkModules) return sdkModules;
  const projectModules = path.join(__dirname, '..', '..', 'node_modules');
  const dir = mkdtempSync(path.join(tmpdir(), 'switchboard-runtime-sdk-'));
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name) || !existsSync(path.join(projectModules, name, 'package.json'))) return;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(path.join(projectModules, name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  for (const name of readdirSync(path.join(projectModules, '@aws-sdk'))) visit(`@aws-sdk/${name}`);
  for (const name of seen) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    symlinkSync(path.join(projectModules, name), path.join(dir, name), 'dir');
  }
  sdkModules = dir;
  return dir;
}
