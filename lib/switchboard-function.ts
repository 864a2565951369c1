import * as path from 'node:path';
import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { TABLES, TABLE_KEYS, type TableKey } from '../lambdas/store/tables';
import { LAMBDA_BUNDLING } from './bundling';

export type SwitchboardTables = Record<TableKey, ITableV2>;

/**
 * The DynamoDB actions a function may be granted on a table's items. An item of a transaction is
 * authorized as its own action (Put: PutItem, Update: UpdateItem, Delete: DeleteItem).
 */
export type ItemAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'Scan' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'ConditionCheckItem' | 'BatchWriteItem';

/** The name of one of the table's indexes (lambdas/store/tables.ts). */
export type IndexName<K extends TableKey> = (typeof TABLES)[K]['indexes'][number]['name'];

/** What a function's code does with one table: the operations on its items, and the indexes it queries. */
export interface TableGrant<K extends TableKey = TableKey> {
  /** On the table itself (`Query` here is a query of the table's own key, not of an index). */
  readonly actions: readonly ItemAction[];
  /** The indexes the code queries: `dynamodb:Query` on `<table>/index/<name>` for each, and on no other. */
  readonly indexes?: readonly IndexName<K>[];
}

/** One entry per table, 'none' included. */
export type TableGrants = { readonly [K in TableKey]: TableGrant<K> | 'none' };

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

  /**
   * Grants exactly `grant` on the table (the actions on its items, `dynamodb:Query` on each index named) and
   * hands its physical name to the code under TABLES[key].envVar. Not CDK's grantReadData/grantWriteData:
   * those add Scan, ConditionCheckItem, BatchWriteItem, DeleteItem and `<table>/index/*` whatever the code does.
   */
  useTable<K extends TableKey>(table: ITableV2, key: K, grant: TableGrant<K>): this {
    const def = TABLES[key];
    const actions = [...new Set(grant.actions)];
    const indexes = [...new Set(grant.indexes ?? [])];
    if (!actions.length && !indexes.length) throw new Error(`${this.node.path}: an empty grant on the ${def.id} table; say 'none' instead`);
    const known: readonly string[] = def.indexes.map((i) => i.name);
    const unknown = indexes.filter((name) => !known.includes(name));
    if (unknown.length) throw new Error(`${this.node.path}: the ${def.id} table has no index ${unknown.join(', ')}`);
    if (actions.length) {
      this.addToRolePolicy(new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [table.tableArn] }));
    }
    if (indexes.length) {
      // Each index by its ARN: no `index/*` wildcard, so no AwsSolutions-IAM5 finding to acknowledge.
      this.addToRolePolicy(new PolicyStatement({ actions: ['dynamodb:Query'], resources: indexes.map((name) => `${table.tableArn}/index/${name}`) }));
    }
    this.addEnvironment(def.envVar, table.tableName);
    return this;
  }

  /**
   * `useTable` for every table at once: each one is named, 'none' included, so a grant is never implicit.
   * `grants` lists what the function's code does (docs/data-model.md, "What each function may do").
   */
  useTables(tables: SwitchboardTables, grants: TableGrants): this {
    for (const key of TABLE_KEYS) {
      const grant = grants[key];
      if (grant !== 'none') this.useTable(tables[key], key, grant as TableGrant<typeof key>);
    }
    return this;
  }
}
