// What a Lambda bundle is made of, built as deployed (lib/bundling.ts) with esbuild's metafile: the AWS
// SDK's bytes (its packages and those only it depends on) and the rest, our code and other dependencies,
// which DESIGN.md section 10 budgets (300 KB per webhook). Used by `npm run bench` and the artifact tests.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { LAMBDA_BUNDLING } from '../lib/bundling';

const SDK_PACKAGE = /node_modules\/(@aws-sdk|@smithy|@aws-crypto|@aws\/lambda-invoke-store|fast-xml-parser|strnum|bowser|tslib)\//;

export interface BundleSize {
  /** KB of the whole file. */
  total: number;
  /** KB the AWS SDK takes of it. */
  sdk: number;
  /** KB of everything else: our code and non-SDK dependencies. */
  ours: number;
}

/** Bundles `entry` into `outfile` (a temporary file when absent) with the Lambdas' settings, `external` overriding theirs. */
export async function measureBundle(entry: string, outfile?: string, external: readonly string[] = LAMBDA_BUNDLING.external): Promise<BundleSize> {
  const dir = outfile ? undefined : mkdtempSync(join(tmpdir(), 'switchboard-bundle-'));
  const file = outfile ?? join(dir!, 'index.js');
  try {
    const result = await build({
      entryPoints: [entry], bundle: true, platform: 'node', ...LAMBDA_BUNDLING, metafile: true,
      mainFields: [...LAMBDA_BUNDLING.mainFields], external: [...external], outfile: file, logLevel: 'error',
    });
    let sdk = 0;
    let ours = 0;
    for (const output of Object.values(result.metafile.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        if (SDK_PACKAGE.test(input)) sdk += bytesInOutput;
        else ours += bytesInOutput;
      }
    }
    return { total: statSync(file).size / 1024, sdk: sdk / 1024, ours: ours / 1024 };
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
