// Where a composed email goes: Amazon SES (AWS), or an `.eml` file (local mode, local/eml-transport.ts).
import type { OutboundEmail } from '../flows/outbound';

export interface MailTransport {
  /** `raw` is the whole MIME message; `email` what it was built from (the recipient, for SES and the logs). */
  send(raw: Buffer, email: OutboundEmail): Promise<void>;
}
