// globalSetup of the artifact project (jest.config.js): DynamoDB Local, and the run's folder for the one
// bundled cloud assembly the artifact test files share (artifact-support.ts bundles into it on first use).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRunDynamo } from '../support/run-dynamo';
import { ARTIFACT_RUN_DIR } from './artifact-run';

export default async function globalSetup(): Promise<void> {
  process.env[ARTIFACT_RUN_DIR] = mkdtempSync(join(tmpdir(), 'switchboard-artifact-run-'));
  await startRunDynamo();
}
