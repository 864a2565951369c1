// Builds the dashboard (web/) with esbuild into a folder the local server and the dashboard proxy serve.
// One bundle, no CDN: everything the page loads comes from the same origin. Takes well under a second.
import { chmod, copyFile, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';

export const WEB_SOURCE = resolve(__dirname, '..', 'web');
export const WEB_DIST = join(WEB_SOURCE, 'dist');

export interface WebBuildOptions {
  /** Where to write index.html, app.js and app.css (default web/dist). */
  outDir?: string;
  minify?: boolean;
}

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
