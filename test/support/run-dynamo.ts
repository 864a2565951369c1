// The run's one DynamoDB Local, shared by every project that needs it. Each distinct globalSetup file runs
// once per run, and two of them start the store (test/support/global-setup.ts and the artifact project's),
// so starting and stopping are idempotent. The state lives on globalThis: jest loads each setup file anew.
import { startDynamoLocal, LOCAL_CREDENTIALS, LOCAL_REGION, type RunningDynamo } from '../../local/dynamodb-local';

const run = globalThis as { __DYNAMO__?: Promise<RunningDynamo> };

export async function startRunDynamo(): Promise<void> {
  run.__DYNAMO__ ??= startDynamoLocal();
  const dynamo = await run.__DYNAMO__;
  // Workers inherit this environment: every test talks to this one DynamoDB Local.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  // Node 20 runs here; the Lambdas run Node 22 in AWS. The SDK's notice about Node 20 is noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}

export async function stopRunDynamo(): Promise<void> {
  const dynamo = run.__DYNAMO__;
  run.__DYNAMO__ = undefined;
  // A store that failed to start has nothing to stop; its error was the setup's.
  await (await dynamo?.catch(() => undefined))?.stop();
}
