// Sends a composed email through Amazon SES v2 (SendEmail with raw content: the MIME we built, so what is
// tested locally is what SES sends), from the verified identity the stack names.
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import { sdkClientConfig, type RequestBudget } from '../config/request-budget';
import type { OutboundEmail } from '../flows/outbound';
import type { MailTransport } from './mail-transport';

/** The worker runs off the carrier's clock: a send may take seconds and is tried three times. */
export const sesClientConfig: RequestBudget = { maxAttempts: 3, connectionTimeout: 2_000, requestTimeout: 5_000 };

export class SesTransport implements MailTransport {
  constructor(
    private readonly from: string,
    private readonly client: SESv2Client = new SESv2Client(sdkClientConfig(sesClientConfig)),
  ) {}

  async send(raw: Buffer, email: OutboundEmail): Promise<void> {
    await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.from,
        Destination: { ToAddresses: [email.to] },
        Content: { Raw: { Data: raw } },
      }),
    );
  }
}
