import { startDynamoLocal, LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/dynamodb-local';

export default async function globalSetup(): Promise<void> {
  const dynamo = await startDynamoLocal();
  (globalThis as { __DYNAMO__?: unknown }).__DYNAMO__ = dynamo;
  // Workers inherit this environment: every test talks to this one DynamoDB Local.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  process.env.AWS_REGION = LOCAL_REGION;
  process.env.AWS_ACCESS_KEY_ID = LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = LOCAL_CREDENTIALS.secretAccessKey;
  // Node 20 runs here; the Lambdas run Node 22 in AWS. The SDK's notice about Node 20 is noise in test output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
}
