import { callOf, permissionsOf } from '../support/aws-call-proxy';

const place = { region: 'us-east-1', account: '123456789012' };
const signed = (service: string) => `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261206/us-east-1/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;
const table = (name: string) => `arn:aws:dynamodb:us-east-1:123456789012:table/${name}`;

describe('reading a call', () => {
  test('a JSON-protocol call: the service from the signature, the operation from X-Amz-Target, the parameters from the body', () => {
    const call = callOf({ authorization: signed('dynamodb'), 'x-amz-target': 'DynamoDB_20120810.GetItem' }, JSON.stringify({ TableName: 'numbers' }));
    expect(call).toEqual({ service: 'dynamodb', operation: 'GetItem', params: { TableName: 'numbers' } });
  });

  test('a query-protocol call (SNS): the operation and parameters from the form body', () => {
    const call = callOf({ authorization: signed('sns') }, 'Action=Publish&Version=2010-03-31&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A123456789012%3Aalerts&Message=hi');
    expect(call).toMatchObject({ service: 'sns', operation: 'Publish', params: { TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts' } });
  });
});

describe('what IAM checks for a call', () => {
  test('a DynamoDB call: its action on the table, or on the index it names', () => {
    expect(permissionsOf({ service: 'dynamodb', operation: 'Query', params: { TableName: 'msgs', IndexName: 'byMailbox' } }, place)).toEqual([
      { action: 'dynamodb:Query', resource: `${table('msgs')}/index/byMailbox` },
    ]);
  });

  test('a transaction: each item\'s own action on its own table; a batch: the batch action on every table', () => {
    const transaction = { TransactItems: [{ Put: { TableName: 'a' } }, { Update: { TableName: 'b' } }, { Delete: { TableName: 'a' } }, { ConditionCheck: { TableName: 'c' } }] };
    expect(permissionsOf({ service: 'dynamodb', operation: 'TransactWriteItems', params: transaction }, place).map((p) => `${p.action} ${p.resource}`)).toEqual([
      `dynamodb:PutItem ${table('a')}`,
      `dynamodb:UpdateItem ${table('b')}`,
      `dynamodb:DeleteItem ${table('a')}`,
      `dynamodb:ConditionCheckItem ${table('c')}`,
    ]);
    expect(permissionsOf({ service: 'dynamodb', operation: 'BatchGetItem', params: { RequestItems: { a: {}, b: {} } } }, place)).toEqual([
      { action: 'dynamodb:BatchGetItem', resource: table('a') },
      { action: 'dynamodb:BatchGetItem', resource: table('b') },
    ]);
  });

  test('SQS: the queue URL becomes the queue ARN, a batch send is sqs:SendMessage', () => {
    const params = { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/210987654321/spill' };
    expect(permissionsOf({ service: 'sqs', operation: 'SendMessageBatch', params }, place)).toEqual([{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:210987654321:spill' }]);
  });

  test('Secrets Manager: the secret by ARN, or by name in the test account', () => {
    expect(permissionsOf({ service: 'secretsmanager', operation: 'GetSecretValue', params: { SecretId: 'twilio' } }, place)).toEqual([
      { action: 'secretsmanager:GetSecretValue', resource: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:twilio' },
    ]);
  });
});
