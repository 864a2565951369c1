// A recording proxy on 127.0.0.1 for the AWS calls of a bundled Lambda (DESIGN.md section 10): the
// function's AWS_ENDPOINT_URL_* point here, so every call it makes (with the SDK or any other client that
// honours them) is recorded, named by what IAM would check (`permissionsOf`), and then forwarded to the
// test's stand-in for that service (DynamoDB Local, a loopback SQS or Secrets Manager...). A call to a
// service without a stand-in is answered with an error, as AWS would answer the test's credentials.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Permission } from './iam-evaluator';
import { queueArn, tableArn, type TestPlace } from './role-policies';

/** The endpoint variable of each service the functions use, by SigV4 signing name. */
export const ENDPOINT_VARIABLES = {
  dynamodb: 'AWS_ENDPOINT_URL_DYNAMODB',
  sqs: 'AWS_ENDPOINT_URL_SQS',
  secretsmanager: 'AWS_ENDPOINT_URL_SECRETS_MANAGER',
  sns: 'AWS_ENDPOINT_URL_SNS',
} as const;

export interface AwsCall {
  /** The SigV4 signing name from the request's credential scope: `dynamodb`, `sqs`... */
  readonly service: string;
  /** From X-Amz-Target (JSON protocols) or the Action parameter (query protocol, SNS). */
  readonly operation: string;
  /** The JSON body, or the query protocol's parameters. */
  readonly params: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a service request body, read by the field names each service uses
}

/** The permissions IAM checks for one call: the action on each resource it names. */
export function permissionsOf(call: AwsCall, place: TestPlace): Permission[] {
  const { service, operation, params } = call;
  const on = (action: string, resources: string[]) => resources.map((resource) => ({ action: `${service}:${action}`, resource }));
  if (service === 'dynamodb') {
    const table = (name: string, index?: string) => (index ? `${tableArn(name, place)}/index/${index}` : tableArn(name, place));
    // A transaction is authorized item by item, by the action each item performs.
    const itemAction: Record<string, string> = { Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem', ConditionCheck: 'ConditionCheckItem', Get: 'GetItem' };
    if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
      return (params.TransactItems as Record<string, { TableName: string }>[]).flatMap((item) =>
        Object.entries(item).flatMap(([kind, body]) => on(itemAction[kind] ?? kind, [table(body.TableName)])),
      );
    }
    if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') return on(operation, Object.keys(params.RequestItems).map((name) => table(name)));
    return on(operation, params.TableName ? [table(params.TableName, params.IndexName)] : ['*']);
  }
  if (service === 'sqs') {
    // The batch operations are authorized as their single-message actions.
    const action = operation.replace(/Batch$/, '');
    return on(action, params.QueueUrl ? [queueArn(params.QueueUrl, place)] : ['*']);
  }
  if (service === 'secretsmanager') {
    const id: string | undefined = params.SecretId;
    return on(operation, [id === undefined ? '*' : id.startsWith('arn:') ? id : `arn:aws:secretsmanager:${place.region}:${place.account}:secret:${id}`]);
  }
  if (service === 'sns') return on(operation, [params.TopicArn ?? params.TargetArn ?? '*']);
  return on(operation, ['*']);
}

/** Reads what a request calls: the service from its signature, the operation and parameters from its body. */
export function callOf(headers: IncomingMessage['headers'], body: string): AwsCall {
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(String(headers.authorization))?.[1] ?? 'unsigned';
  const target = headers['x-amz-target'];
  if (typeof target === 'string') return { service, operation: target.slice(target.lastIndexOf('.') + 1), params: body ? JSON.parse(body) : {} };
  const params = Object.fromEntries(new URLSearchParams(body));
  return { service, operation: params.Action ?? 'unknown', params };
}

export class AwsCallProxy {
  readonly calls: AwsCall[] = [];
  private readonly server: Server;

  /** `upstreams`: where each service's calls go on, by signing name (a stand-in's base URL). */
  constructor(private readonly upstreams: Partial<Record<string, string>>) {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const call = callOf(req.headers, body.toString('utf8'));
        this.calls.push(call);
        const upstream = this.upstreams[call.service];
        if (!upstream) {
          res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: 'UnrecognizedClientException', message: `no stand-in for ${call.service} in this test` }));
          return;
        }
        // Forwarded as signed (the Host header included), so a stand-in can check the signature.
        const target = new URL(req.url ?? '/', upstream);
        const forward = request(target, { method: req.method, headers: req.headers }, (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        });
        // An unreachable stand-in (a test's "DynamoDB is down") stays unreachable: the connection drops.
        forward.on('error', () => req.socket.destroy());
        forward.end(body);
      });
    });
  }

  /** Starts listening; resolves to the URL to put in the function's AWS_ENDPOINT_URL_* variables. */
  listen(): Promise<string> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(this.server.address() as AddressInfo).port}`));
    });
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
