import { rmSync } from 'node:fs';
import { stopRunDynamo } from '../support/run-dynamo';
import { ARTIFACT_RUN_DIR } from './artifact-run';

export default async function globalTeardown(): Promise<void> {
  const dir = process.env[ARTIFACT_RUN_DIR];
  if (dir) rmSync(dir, { recursive: true, force: true });
  await stopRunDynamo();
}
