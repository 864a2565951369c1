// Builds the dashboard (web/) with esbuild into a folder the local server and the dashboard proxy serve.
// One bundle, no CDN: everything the page loads comes from the same origin. Takes well under a second.
import { chmod, copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { z } from 'zod';
import { appletSchema } from '../lambdas/flows/schema';

export const WEB_SOURCE = resolve(__dirname, '..', 'web');
export const WEB_DIST = join(WEB_SOURCE, 'dist');

export interface WebBuildOptions {
  /** Where to write index.html, app.js and app.css (default web/dist). */
  outDir?: string;
  minify?: boolean;
}

/**
 * The JSON Schema of every applet type, from the flow schema itself (zod), for the editor's forms: the
 * page gets the schema without shipping zod to the browser.
 */
export function appletJsonSchemas(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const option of appletSchema.options) {
    const schema = z.toJSONSchema(option as z.ZodType, { io: 'input', unrepresentable: 'any' }) as unknown as { properties: { type: { const: string } } };
    out[schema.properties.type.const] = schema;
  }
  return out;
}

const appletSchemasModule: Plugin = {
  name: 'applet-schemas',
  setup(b) {
    b.onResolve({ filter: /^virtual:applet-schemas$/ }, (args) => ({ path: args.path, namespace: 'applet-schemas' }));
    b.onLoad({ filter: /.*/, namespace: 'applet-schemas' }, () => ({ contents: JSON.stringify(appletJsonSchemas()), loader: 'json' }));
  },
};

/**
 * Writes into a fresh folder beside the target and swaps it in, so a server already serving the old
 * build (or a second build running at the same time) never sees half a bundle.
 */
export async function buildDashboard(options: WebBuildOptions = {}): Promise<string> {
  const outDir = resolve(options.outDir ?? WEB_DIST);
  await mkdir(dirname(outDir), { recursive: true });
  const staging = await mkdtemp(join(dirname(outDir), '.web-build-'));
  try {
    await build({
      entryPoints: { app: join(WEB_SOURCE, 'src', 'main.tsx') },
      outdir: staging,
      bundle: true,
      minify: options.minify ?? true,
      sourcemap: true,
      format: 'esm',
      target: ['chrome110', 'firefox110', 'safari16'],
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
      logLevel: 'silent',
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [appletSchemasModule],
    });
    await copyFile(join(WEB_SOURCE, 'index.html'), join(staging, 'index.html'));
    await chmod(staging, 0o755);
    await rm(outDir, { recursive: true, force: true });
    await rename(staging, outDir);
    return outDir;
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}

/** A private build for one test process (jest runs files in parallel workers). */
export async function buildDashboardForTest(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchboard-web-'));
  return buildDashboard({ outDir: join(dir, 'dist') });
}
