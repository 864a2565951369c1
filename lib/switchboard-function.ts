import * as path from 'node:path';
import { Duration, Stack, Validations, type CfnElement, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { TABLES, TABLE_KEYS, type TableKey } from '../lambdas/store/tables';
import { LAMBDA_BUNDLING } from './bundling';

export type TableAccess = 'read' | 'write' | 'readWrite';
export type SwitchboardTables = Record<TableKey, ITableV2>;

const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The entry file of one Lambda: `lambdas/handlers/<name>.ts`. */
export function handlerEntry(name: string): string {
  return path.join(PROJECT_ROOT, 'lambdas', 'handlers', `${name}.ts`);
}

export interface SwitchboardFunctionProps {
  /** Absolute path of the handler file; see `handlerEntry`. */
  readonly entry: string;
  readonly description: string;
  /** What happens to the function's log group when the stack goes away. */
  readonly removalPolicy: RemovalPolicy;
  /** @default 10 seconds: Twilio gives up after 15, so a webhook must answer well before. */
  readonly timeout?: Duration;
  /** @default 512 MB (more memory also means more CPU, which shortens cold starts) */
  readonly memorySize?: number;
  readonly environment?: Record<string, string>;
  /** CloudWatch namespace of the function's Powertools metrics (one per stage). */
  readonly metricsNamespace: string;
}

/**
 * A Lambda with the project's defaults set once: Node.js 22 on arm64, a minified esbuild bundle with
 * source maps, JSON logs into a log group with retention, active X-Ray tracing, Powertools metrics in
 * the stage's namespace, and a role that can only write to that group (and send traces).
 */
export class SwitchboardFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: SwitchboardFunctionProps) {
    // Created before super() because the function takes both at construction; they sit next to it.
    const logGroup = new LogGroup(scope, `${id}LogGroup`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    // An own role instead of the default one: AWSLambdaBasicExecutionRole lets the function create any
    // log group and write to all of them; this role can write to its own log group only.
    const role = new Role(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    logGroup.grantWrite(role);

    super(scope, id, {
      entry: props.entry,
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      tracing: Tracing.ACTIVE,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        // Stack traces point at the TypeScript sources instead of the minified bundle.
        NODE_OPTIONS: '--enable-source-maps',
        [ENV.metricsNamespace]: props.metricsNamespace,
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.CJS,
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        sourceMap: true,
        // Mappings are enough for stack traces; embedding the sources would double the asset for nothing.
        sourcesContent: false,
        // The SDK is bundled from the pinned versions (LAMBDA_BUNDLING; docs/performance.md says why).
        bundleAwsSDK: true,
        externalModules: [...LAMBDA_BUNDLING.external],
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        // Bundling runs on the machine's own esbuild; Docker is never needed (offline `cdk synth`).
        forceDockerBundling: false,
      },
    });
    // Active tracing adds xray:PutTraceSegments and xray:PutTelemetryRecords on "*" to the role.
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions; active tracing needs them on "*"',
    });
    Validations.of(this).acknowledge({
      id: 'AwsSolutions-L1',
      reason: 'Node.js 22 is the runtime the project pins (DESIGN.md section 8); cdk-nag wants the newest Node.js runtime',
    });
  }

  /** Grants the table (with its indexes) and hands its physical name to the code under TABLES[key].envVar. */
  useTable(table: ITableV2, key: TableKey, access: TableAccess): this {
    if (access === 'readWrite') table.grantReadWriteData(this);
    else if (access === 'write') table.grantWriteData(this);
    else table.grantReadData(this);
    this.addEnvironment(TABLES[key].envVar, table.tableName);
    if (TABLES[key].indexes.length > 0 && this.role) {
      // The grant covers `<table>/index/*`: the function queries the table's indexes, and only this table's.
      const logicalId = Stack.of(table).getLogicalId(table.node.defaultChild as CfnElement);
      Validations.of(this.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/index/*]`,
        reason: `Queries the indexes of the ${TABLES[key].id} table (${TABLES[key].indexes.map((i) => i.name).join(', ')}); the wildcard is limited to that table's indexes`,
      });
    }
    return this;
  }

  /** `useTable` for every table at once: each one is named, 'none' included, so a grant is never implicit. */
  useTables(tables: SwitchboardTables, access: Record<TableKey, TableAccess | 'none'>): this {
    for (const key of TABLE_KEYS) {
      const level = access[key];
      if (level !== 'none') this.useTable(tables[key], key, level);
    }
    return this;
  }
}
