// The stateful resources outside the tables (the alert topic and its key, the Twilio secret) have
// constructs of their own, created first and handed to their users; they keep the logical ids they had
// before, because a new logical id replaces the resource on deploy (the secret would lose the token).
import { logicalId, propertiesOf, synthSwitchboard, type Synthesized } from './synth';

let synth: Synthesized;

beforeAll(() => {
  synth = synthSwitchboard({ alertEmail: 'oncall@example.com' });
});

test('the alert topic, its key, policy and subscription, and the Twilio secret keep their logical ids', () => {
  const idsOf = (type: string) => Object.keys(synth.template.findResources(type));
  expect({
    key: idsOf('AWS::KMS::Key'),
    topic: idsOf('AWS::SNS::Topic'),
    topicPolicy: idsOf('AWS::SNS::TopicPolicy'),
    subscription: idsOf('AWS::SNS::Subscription'),
    secret: idsOf('AWS::SecretsManager::Secret'),
  }).toEqual({
    key: ['ReportAlertTopicKey2EE4370C'],
    topic: ['ReportAlertTopicB4DA9504'],
    topicPolicy: ['ReportAlertTopicPolicy07843488'],
    subscription: ['ReportAlertTopiconcallexamplecomE2430C56'],
    secret: ['WebhooksTwilioAuthToken81A9D657'],
  });
});

test('the report, the webhook and spill alarms all notify the one alert topic the stack created first', () => {
  const topic = { Ref: logicalId(synth.stack.alerts.topic) };
  const alarms = Object.values(synth.template.findResources('AWS::CloudWatch::Alarm'));
  expect(alarms.length).toBeGreaterThan(10);
  for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([topic]);
  const report = propertiesOf(synth.template, logicalId(synth.stack.report.function));
  expect(report.Environment.Variables.ALERT_TOPIC_ARN).toEqual(topic);
});

test('every function that reads the Twilio secret is handed the one secret the stack created first', () => {
  const secret = { Ref: logicalId(synth.stack.twilioSecret.secret) };
  const readers = [synth.stack.webhooks.voice, synth.stack.webhooks.sms, synth.stack.webhooks.fallback, synth.stack.admin.function, synth.stack.report.function];
  for (const fn of readers) expect(propertiesOf(synth.template, logicalId(fn)).Environment.Variables.TWILIO_AUTH_TOKEN_SECRET_ARN).toEqual(secret);
});
