import { Match } from 'aws-cdk-lib/assertions';
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

let defaults: Synthesized;
let configured: Synthesized;

beforeAll(() => {
  defaults = synthSwitchboard();
  configured = synthSwitchboard({ stage: 'staging', alertEmail: 'oncall@example.com', reportSchedule: 'cron(0 8 * * ? *)' });
});

const topicRef = (s: Synthesized) => ({ Ref: logicalId(s.stack.report.topic) });

describe('schedule', () => {
  test('runs hourly by default', () => {
    defaults.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  test('uses the reportSchedule context', () => {
    configured.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 8 * * ? *)' });
  });

  test('targets the report Lambda', () => {
    defaults.template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(defaults.stack.report.function), 'Arn'] } })],
    });
  });
});

describe('alert topic', () => {
  test('is encrypted with a rotated KMS key', () => {
    const keyId = logicalId(defaults.stack.report.topic.masterKey!);
    defaults.template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    expect(propertiesOf(defaults.template, keyId).EnableKeyRotation).toBe(true);
  });

  test('refuses requests without TLS', () => {
    defaults.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('lets CloudWatch alarms publish and use the key (the AWS-managed SNS key would not allow it)', () => {
    defaults.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: 'sns:Publish', Principal: { Service: 'cloudwatch.amazonaws.com' } }),
        ]),
      },
    });
    defaults.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
  });

  test("CloudWatch may use the key only for this account's alarms (aws:SourceAccount and aws:SourceArn), as it may publish", () => {
    const keyId = logicalId(defaults.stack.alerts.key);
    type Statement = { Principal?: { Service?: string }; Condition?: unknown; Action: unknown };
    const byCloudWatch = (statements: Statement[]) => statements.filter((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    const keyStatements = byCloudWatch(propertiesOf(defaults.template, keyId).KeyPolicy.Statement);
    const ourAlarms = {
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':alarm:*']] } },
    };
    expect(keyStatements).toEqual([expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: ourAlarms })]);
    // The topic policy's grant to CloudWatch carries the same conditions.
    const topicPolicies = Object.values(defaults.template.findResources('AWS::SNS::TopicPolicy'));
    const publish = byCloudWatch(topicPolicies.flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]));
    expect(publish).toEqual([expect.objectContaining({ Action: 'sns:Publish', Condition: ourAlarms })]);
  });

  test('has an email subscription when alertEmail is given', () => {
    configured.template.resourceCountIs('AWS::SNS::Subscription', 1);
    configured.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
      TopicArn: topicRef(configured),
    });
  });

  test('has no subscription without alertEmail', () => {
    defaults.template.resourceCountIs('AWS::SNS::Subscription', 0);
  });
});

describe('report Lambda', () => {
  const env = (s: Synthesized) => propertiesOf(s.template, logicalId(s.stack.report.function)).Environment.Variables;

  test('knows the topic and the metrics namespace of its stage', () => {
    expect(env(defaults)).toMatchObject({ ALERT_TOPIC_ARN: topicRef(defaults), POWERTOOLS_METRICS_NAMESPACE: 'Switchboard/dev' });
    expect(env(configured).POWERTOOLS_METRICS_NAMESPACE).toBe('Switchboard/staging');
  });

  test('may publish to the topic, with the key SNS needs for it', () => {
    const roleId = logicalId(defaults.stack.report.function.role!);
    defaults.template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sns:Publish', Resource: topicRef(defaults) }),
          Match.objectLike({
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Resource: { 'Fn::GetAtt': [logicalId(defaults.stack.report.topic.masterKey!), 'Arn'] },
          }),
        ]),
      },
    });
  });
});

describe('alarms', () => {
  test.each(['NumbersWithoutFlow', 'NumbersWithoutCallFlow', 'NumbersWithoutSmsFlow', 'UnroutedCalls', 'UnroutedTexts'])('%s >= 1 in the stage namespace notifies the alert topic', (metricName) => {
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Switchboard/dev',
      MetricName: metricName,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [topicRef(defaults)],
      TreatMissingData: 'notBreaching',
    });
  });

  test('a failing report Lambda notifies the alert topic too', () => {
    defaults.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(defaults.stack.report.function) } }],
      AlarmActions: [topicRef(defaults)],
    });
  });
});
