// Writes that are durable only when whole (DESIGN.md section 11): the local spool's puts, the drain's
// rewrites of a batch and its rejected file. `writeSync` may write part of what it is given without
// throwing (a nearly full disk: the next write then fails with ENOSPC), so every write here loops until
// all bytes are down, and a write that makes no progress or throws is a failure the caller sees.
// A failed append is cut back to where it started; a replaced file is written whole to a temporary
// file, fsynced and only then renamed over the old one, which stays untouched on any failure.
import { closeSync, fstatSync, fsyncSync, ftruncateSync, openSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import * as path from 'node:path';

/** A write that did not put every byte on disk. */
export class ShortWriteError extends Error {
  constructor(
    readonly file: string,
    readonly written: number,
    readonly wanted: number,
    options?: { cause?: unknown },
  ) {
    super(`short write to ${path.basename(file)}: ${written} of ${wanted} bytes`, options);
    this.name = 'ShortWriteError';
  }
}

/** Writes every byte of `data` at the file's current position (the end, for an append): loops over short writes. */
export function writeAll(fd: number, data: Buffer, file = 'a file'): void {
  let written = 0;
  while (written < data.length) {
    let n: number;
    try {
      n = writeSync(fd, data, written, data.length - written);
    } catch (err) {
      throw new ShortWriteError(file, written, data.length, { cause: err });
    }
    // No progress and no error: nothing says the next try would do better.
    if (!(n > 0)) throw new ShortWriteError(file, written, data.length);
    written += n;
  }
}

/** Makes a new or renamed directory entry durable, not only the file's contents. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends `data` to `file` (created when missing) and fsyncs it. On any failure the file is cut back to
 * its size before, so no partial record is left behind for a reader to mistake for a whole one, and the
 * error is thrown. `data` may be computed from the open file (the spool starts a fresh line after a
 * half line left by a crash).
 */
export function appendDurably(file: string, data: Buffer | ((fd: number) => Buffer)): void {
  const created = !exists(file);
  const fd = openSync(file, 'a+');
  try {
    const before = fstatSync(fd).size;
    const bytes = typeof data === 'function' ? data(fd) : data;
    try {
      writeAll(fd, bytes, file);
      fsyncSync(fd);
    } catch (err) {
      try {
        ftruncateSync(fd, before);
        fsyncSync(fd);
      } catch {
        // The reader copes: a line without its newline is set aside, never read as an item.
      }
      throw err;
    }
  } finally {
    closeSync(fd);
  }
  if (created) fsyncDir(path.dirname(file));
}

/**
 * Replaces `file` with `data`, all or nothing: a temporary file next to it, written whole and fsynced,
 * then renamed over it (and the directory fsynced). On failure the temporary file is removed, `file` is
 * as it was, and the error is thrown.
 */
export function replaceDurably(file: string, data: Buffer): void {
  const tmp = `${file}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeAll(fd, data, tmp);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // Not there, or the disk refuses even that: the next rewrite truncates it ('w').
    }
    throw err;
  }
  fsyncDir(path.dirname(file));
}

export function exists(file: string): boolean {
  try {
    statSync(file);
    return true;
  } catch {
    return false;
  }
}
