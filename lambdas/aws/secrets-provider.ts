// Powertools Parameters over our own JSON-protocol client: BaseProvider gives the caching (maxAge,
// forceFetch) and the errors Powertools users know; GetSecretValue goes through aws-json.ts, so reading
// the Twilio token does not load @aws-sdk/client-secrets-manager (~50 ms) on a cold start's first request.
import { BaseProvider } from '@aws-lambda-powertools/parameters/base';
import { AwsJsonClient, type AwsJsonTimeouts } from './aws-json';

export interface SecretsProviderConfig extends Partial<AwsJsonTimeouts> {
  endpoint?: string;
  region?: string;
  env?: NodeJS.ProcessEnv;
}

export class SecretsManagerProvider extends BaseProvider {
  private readonly secrets: AwsJsonClient;

  constructor(config: SecretsProviderConfig = {}) {
    super({});
    this.secrets = new AwsJsonClient({ ...config, service: 'secretsmanager', targetPrefix: 'secretsmanager', jsonVersion: '1.1', endpointEnv: 'AWS_ENDPOINT_URL_SECRETS_MANAGER' });
  }

  /** The secret's current text (SecretString), or its bytes (SecretBinary). */
  protected async _get(name: string): Promise<string | Uint8Array | undefined> {
    const out = await this.secrets.call<{ SecretString?: string; SecretBinary?: string }>('GetSecretValue', { SecretId: name });
    if (out.SecretString !== undefined) return out.SecretString;
    return out.SecretBinary !== undefined ? new Uint8Array(Buffer.from(out.SecretBinary, 'base64')) : undefined;
  }

  protected async _getMultiple(): Promise<Record<string, unknown> | undefined> {
    throw new Error('Secrets Manager has no paths: read secrets one by one');
  }
}
