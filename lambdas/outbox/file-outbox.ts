// The outbound queue in local mode: a file spool of its own (spill/file-spill.ts FileSpool), fsynced
// line by line, which the local server's sender drains in-process (local/outbox-sender.ts).
import type { Outbox, QueuedText } from '../carrier/queued-text';
import { FileSpool } from '../spill/file-spill';

export class FileOutbox implements Outbox {
  readonly spool: FileSpool<QueuedText>;

  constructor(dir: string) {
    this.spool = new FileSpool<QueuedText>(dir);
  }

  async put(texts: readonly QueuedText[]): Promise<void> {
    for (const text of texts) await this.spool.put(text);
  }
}
