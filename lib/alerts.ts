import { Stack, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { keepFormerLogicalId } from './former-logical-id';

export interface AlertTopicProps {
  readonly removalPolicy: RemovalPolicy;
  /** Subscribed to the topic (the on-call engineers' address). */
  readonly alertEmail?: string;
}

/**
 * The one alert topic (stateful: its subscriptions and key), created first in the stack and handed to
 * what notifies it: the report, the webhook and spill alarms. Encrypted with a key of its own, which
 * CloudWatch alarms may use.
 */
export class AlertTopic extends Construct {
  readonly key: Key;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    const cloudwatch = new ServicePrincipal('cloudwatch.amazonaws.com');

    // A key of our own, not alias/aws/sns: CloudWatch alarms cannot publish to a topic encrypted with
    // the AWS-managed key, whose policy cannot grant them kms:GenerateDataKey.
    this.key = new Key(this, 'Key', {
      description: 'Encrypts the Switchboard alert topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy,
    });
    // Only for this account's alarms: CloudWatch acts for an alarm here only when the call's
    // aws:SourceAccount is this account and its aws:SourceArn one of this account's alarms (no confused deputy).
    const { account, region, partition } = Stack.of(this);
    const fromOurAlarms = {
      StringEquals: { 'aws:SourceAccount': account },
      ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
    };
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOurAlarms,
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'Switchboard alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    // The topic policy that enforceSSL creates replaces SNS's default one, so alarms need their own grant.
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOurAlarms,
      }),
    );
    const subscription = props.alertEmail ? this.topic.addSubscription(new EmailSubscription(props.alertEmail)) : undefined;

    // These were created under the report (Report/...) before they had a construct of their own; they
    // keep the logical ids they had there, so a deploy updates them in place (docs/decisions.md).
    const cfn = (construct: Construct) => construct.node.defaultChild as CfnElement;
    keepFormerLogicalId(cfn(this.key), 'Report/AlertTopicKey/Resource');
    keepFormerLogicalId(cfn(this.topic), 'Report/AlertTopic/Resource');
    const policy = this.topic.node.tryFindChild('Policy');
    if (policy) keepFormerLogicalId(cfn(policy as Construct), 'Report/AlertTopic/Policy/Resource');
    if (subscription && props.alertEmail) keepFormerLogicalId(cfn(subscription), `Report/AlertTopic/${props.alertEmail}/Resource`);
  }
}
