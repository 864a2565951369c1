// The artifact test files share one bundled cloud assembly per run. The artifact project's globalSetup
// makes an empty folder for the run (and names it in ARTIFACT_RUN_DIR); the first test file to need the
// assembly claims the folder and bundles into it while the others wait for it. No aws-cdk-lib here: the
// globalSetup imports this file, and loading the CDK in jest's main process would hold up every worker.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** The environment variable naming the run's folder. */
export const ARTIFACT_RUN_DIR = 'SWITCHBOARD_ARTIFACT_RUN_DIR';

const WAIT_MS = 180_000;

/**
 * The run's bundled cloud assembly. The first caller runs `bundle(outdir)`; the others run `meanwhile()`
 * (while the first one bundles), then wait until the assembly is done (or failed). Both get the folder
 * and what their function returned.
 */
export async function sharedAssembly<T>(runDir: string, bundle: (outdir: string) => T, meanwhile: () => T): Promise<{ outdir: string; value: T }> {
  const outdir = path.join(runDir, 'cdk.out');
  const ready = path.join(runDir, 'ready');
  const failed = path.join(runDir, 'failed');
  if (!claim(outdir)) {
    const value = meanwhile();
    const deadline = Date.now() + WAIT_MS;
    while (!existsSync(ready)) {
      if (existsSync(failed)) throw new Error(`bundling the app failed in another test file: ${readFileSync(failed, 'utf8')}`);
      if (Date.now() > deadline) throw new Error(`the bundled app did not appear in ${outdir} within ${WAIT_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { outdir, value };
  }
  let value: T;
  try {
    value = bundle(outdir);
  } catch (err) {
    writeFileSync(failed, String((err as Error).stack ?? err));
    throw err;
  }
  writeFileSync(ready, '');
  return { outdir, value };
}

/** Makes the folder, or answers false when another test file already did: mkdir is atomic, so one file wins. */
function claim(dir: string): boolean {
  try {
    mkdirSync(dir);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}
