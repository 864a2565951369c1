import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthSwitchboard, type Synthesized } from './synth';

const findings = (synth: Synthesized) =>
  new AwsSolutionsChecks(undefined, { verbose: true })
    .validateScope(synth.app)
    .violations.flatMap((v) => v.violatingResources.map((r) => `${v.severity} ${v.ruleName} at ${r.constructPath}: ${v.description}`));

const acknowledgements = (synth: Synthesized) =>
  [synth.app, ...synth.stack.node.findAll()].flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))),
  );

let dev: Synthesized;
let prod: Synthesized;

beforeAll(() => {
  // Both synths run the AwsSolutions plugin too: an unacknowledged error would already fail here.
  dev = synthSwitchboard();
  prod = synthSwitchboard({ stage: 'prod', alertEmail: 'oncall@example.com', publicUrl: 'https://calls.example.com' });
});

describe('cdk-nag AwsSolutions', () => {
  test('the dev stage has no unacknowledged error or warning', () => {
    expect(findings(dev)).toEqual([]);
  });

  test('the prod stage, with every setting given, has no unacknowledged error or warning', () => {
    expect(findings(prod)).toEqual([]);
  });

  test('nothing is acknowledged for the whole app or stack, only per resource', () => {
    const paths = acknowledgements(dev).map((a) => a.path);
    expect(paths.length).toBeGreaterThan(0);
    expect(paths).not.toContain(dev.app.node.path);
    expect(paths).not.toContain(dev.stack.node.path);
  });

  test('every acknowledgement gives a reason', () => {
    for (const { id, reason } of acknowledgements(dev)) {
      expect({ id, reason: reason.length >= 40 }).toEqual({ id, reason: true });
    }
  });

  test('no wildcard on a table is acknowledged: each index a function queries is granted by its own ARN', () => {
    for (const synth of [dev, prod]) {
      const onTables = acknowledgements(synth).filter((a) => /index|Table|dynamodb/i.test(`${a.id} ${a.reason}`));
      expect(onTables).toEqual([]);
    }
  });

  test('only the expected rules are acknowledged', () => {
    const rules = new Set(acknowledgements(dev).map((a) => a.id.replace(/^Annotation::/, '').replace(/\[.*$/, '')));
    expect([...rules].sort()).toEqual([
      'AwsSolutions-APIG4',
      // The dashboard's distribution (lib/dashboard-hosting.ts): geo restriction, WAF, access logs, TLS of *.cloudfront.net.
      'AwsSolutions-CFR1',
      'AwsSolutions-CFR2',
      'AwsSolutions-CFR3',
      'AwsSolutions-CFR4',
      // The user pool (lib/accounts.ts): MFA optional by design, no Plus plan.
      'AwsSolutions-COG2',
      'AwsSolutions-COG3',
      'AwsSolutions-COG8',
      // CDK's BucketDeployment function's managed policy (its IAM5 and L1 too).
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-L1',
      // The dashboard's bucket: server access logs.
      'AwsSolutions-S1',
      'AwsSolutions-SMG4',
    ]);
  });

  test('the checks run on every synth of the app: an unacknowledged finding fails it', () => {
    const synth = synthSwitchboard();
    new Bucket(synth.stack, 'UnloggedBucket');
    expect(() => synth.app.synth({ force: true })).toThrow(/AwsSolutions-S1/);
  });
});
