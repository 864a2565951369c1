// Local mode's mail: each email is written whole as an `.eml` file (the MIME SES would have been given)
// into the data directory's mail folder, where any mail client opens it; `npm start` prints each one.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { OutboundEmail } from '../lambdas/flows/outbound';
import type { MailTransport } from '../lambdas/mail/mail-transport';

export interface WrittenMail {
  file: string;
  to: string;
  subject: string;
}

export class EmlTransport implements MailTransport {
  private count = 0;

  constructor(
    readonly dir: string,
    private readonly onMail?: (mail: WrittenMail) => void,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  async send(raw: Buffer, email: OutboundEmail): Promise<void> {
    mkdirSync(this.dir, { recursive: true });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(this.dir, `${stamp}-${String(this.count++).padStart(4, '0')}-${email.to.replace(/[^A-Za-z0-9@._-]/g, '_')}.eml`);
    // Whole or not at all: a reader never finds half a message.
    writeFileSync(`${file}.tmp`, raw);
    renameSync(`${file}.tmp`, file);
    this.onMail?.({ file, to: email.to, subject: email.subject });
  }
}
