import { stopRunDynamo } from './run-dynamo';

export default async function globalTeardown(): Promise<void> {
  await stopRunDynamo();
}
