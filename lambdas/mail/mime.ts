// A real MIME message of an OutboundEmail (multipart/alternative: text and HTML, UTF-8, encoded headers),
// built by nodemailer's MailComposer: the same bytes go to SES (raw content) and, locally, into `.eml` files.
// Off the webhook path: only the job worker and the local drain import it.
import MailComposer from 'nodemailer/lib/mail-composer';
import type { OutboundEmail } from '../flows/outbound';

/** The name every email is sent under. */
export const SENDER_NAME = 'Switchboard';

/**
 * The From address of an identity: an address is itself; a verified domain sends as switchboard@<domain>.
 */
export function fromAddress(identity: string): string {
  return identity.includes('@') ? identity : `switchboard@${identity}`;
}

export async function composeMime(email: OutboundEmail, from: string, date = new Date()): Promise<Buffer> {
  const mail = new MailComposer({
    from: { name: SENDER_NAME, address: from },
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    date,
    // Machines, not people, should not answer it: auto-replies are asked to stay away.
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
  return mail.compile().build();
}
