// globalSetup of the projects that talk to DynamoDB Local (jest.config.js): jest runs it once per run.
import { startRunDynamo } from './run-dynamo';

export default async function globalSetup(): Promise<void> {
  await startRunDynamo();
}
