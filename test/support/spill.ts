// A real spill for tests that build webhook dependencies by hand: the local file spool in a temporary
// directory, with what it holds readable back.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { FileSpill, SPOOL_FILE } from '../../lambdas/spill/file-spill';
import { parseSpillItem } from '../../lambdas/spill/item-schema';
import type { SpillItem } from '../../lambdas/spill/spill';

export interface TestSpill {
  spill: FileSpill;
  /** Every item put so far, in order. */
  items(): SpillItem[];
  dispose(): void;
}

export function tempSpill(): TestSpill {
  const dir = mkdtempSync(path.join(tmpdir(), 'test-spill-'));
  const spill = new FileSpill(dir);
  const file = path.join(dir, SPOOL_FILE);
  return {
    spill,
    items: () => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => parseSpillItem(line)!) : []),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
