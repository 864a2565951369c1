// The job queue in AWS (issue 22 item 5): an encrypted SQS FIFO queue with a dead-letter queue, the worker
// that sends voicemail emails through SES v2 (ses:SendEmail on the configured identity and nothing else),
// the webhooks and the drain allowed to put into it, and an alarm on the dead letters.
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

let plain: Synthesized;
let mailing: Synthesized;
let domain: Synthesized;
beforeAll(() => {
  plain = synthSwitchboard();
  mailing = synthSwitchboard({ emailFrom: 'voicemail@example.com', dashboardUrl: 'https://switchboard.example.com' });
  domain = synthSwitchboard({ emailFrom: 'Example.com' });
});

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };
const statements = (s: Synthesized, roleId: string): Statement[] =>
  Object.values(s.template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } })).flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
const sesStatements = (s: Synthesized) => statements(s, logicalId(s.stack.jobs.worker.role!)).filter((st) => [st.Action].flat().some((a) => a.startsWith('ses:')));

test('the queue and its dead-letter queue are FIFO, encrypted, and refuse plain HTTP', () => {
  for (const queue of [plain.stack.jobs.queue, plain.stack.jobs.deadLetterQueue]) {
    const props = propertiesOf(plain.template, logicalId(queue));
    expect(props.FifoQueue).toBe(true);
    expect(props.SqsManagedSseEnabled).toBe(true);
  }
  expect(propertiesOf(plain.template, logicalId(plain.stack.jobs.queue)).RedrivePolicy).toMatchObject({ maxReceiveCount: 3 });
  const policies = Object.values(plain.template.findResources('AWS::SQS::QueuePolicy')).map((p) => JSON.stringify(p.Properties));
  expect(policies.filter((p) => p.includes(logicalId(plain.stack.jobs.queue)) && p.includes('aws:SecureTransport'))).toHaveLength(1);
});

test('with emailFrom, the worker may ses:SendEmail from that identity only, and knows it', () => {
  const [statement, ...others] = sesStatements(mailing);
  expect(others).toEqual([]);
  expect(statement.Action).toBe('ses:SendEmail');
  expect(JSON.stringify(statement.Resource)).toContain(':identity/voicemail@example.com');
  const env = propertiesOf(mailing.template, logicalId(mailing.stack.jobs.worker)).Environment.Variables;
  expect(env.EMAIL_FROM).toBe('voicemail@example.com');
  // A domain identity is named as SES names it: lower case.
  expect(JSON.stringify(sesStatements(domain)[0].Resource)).toContain(':identity/example.com"');
});

test('without emailFrom the worker may send no email at all', () => {
  expect(sesStatements(plain)).toEqual([]);
  expect(propertiesOf(plain.template, logicalId(plain.stack.jobs.worker)).Environment.Variables.EMAIL_FROM).toBeUndefined();
});

test('the worker takes the queue in batches, reporting only the jobs that failed', () => {
  plain.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: logicalId(plain.stack.jobs.worker) },
    EventSourceArn: { 'Fn::GetAtt': [logicalId(plain.stack.jobs.queue), 'Arn'] },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
  });
});

test.each(['voice', 'drain'] as const)('the %s function may put into the job queue (and is told its URL and the dashboard\'s), and only that', (name) => {
  const fn = name === 'voice' ? mailing.stack.webhooks.voice : mailing.stack.spill.drain;
  const queueId = logicalId(mailing.stack.jobs.queue);
  const sqs = statements(mailing, logicalId(fn.role!)).filter((st) => JSON.stringify(st.Resource).includes(queueId));
  expect(sqs.flatMap((st) => [st.Action].flat()).sort()).toEqual(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage']);
  const env = propertiesOf(mailing.template, logicalId(fn)).Environment.Variables;
  expect(env.JOB_QUEUE_URL).toEqual({ Ref: queueId });
  expect(env.DASHBOARD_URL).toBe('https://switchboard.example.com');
});

test.each(['voice', 'drain'] as const)('without dashboardUrl, the %s function\'s email links open the stack\'s hosted dashboard (CloudFront)', (name) => {
  const fn = name === 'voice' ? domain.stack.webhooks.voice : domain.stack.spill.drain;
  const env = propertiesOf(domain.template, logicalId(fn)).Environment.Variables;
  expect(env.DASHBOARD_URL).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(domain.stack.hosting.distribution), 'DomainName'] }]] });
});

test('the sms webhook, the admin API and the report cannot put into the job queue', () => {
  const queueId = logicalId(plain.stack.jobs.queue);
  for (const fn of [plain.stack.webhooks.sms, plain.stack.admin.function, plain.stack.report.function, plain.stack.webhooks.fallback]) {
    expect(statements(plain, logicalId(fn.role!)).filter((st) => JSON.stringify(st.Resource).includes(queueId))).toEqual([]);
  }
});

test('dead letters alarm to the alert topic', () => {
  const [alarm] = plain.stack.jobs.alarms;
  const props = propertiesOf(plain.template, logicalId(alarm));
  expect(props.AlarmActions).toEqual([{ Ref: logicalId(plain.stack.alerts.topic) }]);
  expect(JSON.stringify(props.Dimensions)).toContain(logicalId(plain.stack.jobs.deadLetterQueue));
});
