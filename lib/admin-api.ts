import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi, type HttpRoute, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../lambdas/config/env';
import { routesOf } from '../lambdas/config/routes';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';
import { workQueue } from './work-queue';

export interface AdminApiProps {
  readonly httpApi: HttpApi;
  /** The browser's /api/* routes: Cognito tokens (lib/accounts.ts). */
  readonly jwtAuthorizer: IHttpRouteAuthorizer;
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  readonly metricsNamespace: string;
}

/**
 * The admin API: one Lambda behind two routes (DESIGN.md section 16): `ANY /api/{proxy+}` for the browser,
 * which API Gateway's JWT authorizer lets through only with a valid Cognito token, and
 * `ANY /cli/api/{proxy+}` for the command-line tools, only with SigV4-signed requests (IAM). The function
 * then applies each role's rights (lambdas/admin/access.ts).
 * The same function runs the steps of carrier sync jobs (lambdas/carrier/sync-job.ts), one SQS message
 * each, from its sync queue: a job outlives the request that started it, and a step that dies comes back.
 */
export class AdminApi extends Construct {
  readonly function: SwitchboardFunction;
  readonly routes: HttpRoute[];
  readonly syncQueue: Queue;
  readonly syncDeadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    const timeout = Duration.seconds(29);
    this.function = new SwitchboardFunction(this, 'Function', {
      entry: handlerEntry('admin-api'),
      description: 'Switchboard admin API: flows, numbers, users, groups, schedules, mailboxes, traces, report',
      removalPolicy: props.removalPolicy,
      metricsNamespace: props.metricsNamespace,
      // Deleting a flow with ?unassign=true rewrites every number it served, in retried transactions:
      // allow up to just under HTTP API's 30-second integration limit.
      timeout,
    }).useTables(props.tables, {
      // find/get (GetItem), the paged and searched list (the listed index, or noFlow), a flow's numbers
      // (byFlow); register, assign, unassign and delete in transactions of Put, Update and Delete items.
      numbers: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['byFlow', 'noFlow', 'listed'] },
      // Heads and revisions (GetItem), heads of a page of numbers (BatchGetItem), revisions (Query of the
      // table), the heads index; publish (Put, Update), delete (Delete, then UpdateItem of expiresAt), and
      // numberCount (Update items of the numbers' transactions).
      flows: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['heads'] },
      // Users, groups and schedules: GetItem, the byKind index, PutItem/UpdateItem/DeleteItem (alone or in
      // transactions; a user's PIN hash is an UpdateItem).
      directory: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['byKind'] },
      // Mailboxes are read through the byMailbox index; one message by its Sid (a recording to play, a text to
      // answer), marked read (UpdateItem) or deleted (DeleteItem).
      messages: { actions: ['GetItem', 'UpdateItem', 'DeleteItem'], indexes: ['byMailbox'] },
      // A call's trace: Query of the table by sid.
      traces: { actions: ['Query'] },
      // The report: its mark (GetItem) and unrouted events (Query of the table); it publishes no mark.
      // Schedule overrides: one (GetItem), a list's (BatchGetItem), set and cleared (PutItem); carrier sync
      // jobs: read (GetItem) and written whole, on the version read (conditional PutItem); the simulator's
      // longest-idle reads who is on a call (BatchGetItem).
      state: { actions: ['GetItem', 'Query', 'BatchGetItem', 'PutItem'] },
      // GET /api/carrier/messages: the byStatus index, or the recent one without a status; it writes no record.
      outbound: { actions: [], indexes: ['byStatus', 'recent'] },
    });

    // A step message that failed three times (the function crashed or timed out on it each time) waits here;
    // the job shows `running` without progress, and POST /api/carrier/sync resumes it (docs/operations.md).
    ({ queue: this.syncQueue, deadLetterQueue: this.syncDeadLetterQueue } = workQueue(this, {
      idPrefix: 'Sync',
      consumerTimeout: timeout,
      maxReceiveCount: 3,
      deadLetterRetention: Duration.days(4),
      removalPolicy: props.removalPolicy,
    }));
    this.syncQueue.grantSendMessages(this.function);
    this.function.addEnvironment(ENV.carrierSyncQueueUrl, this.syncQueue.queueUrl);
    // One step at a time per message; jobs are rare, and a job's steps follow one another anyway.
    this.function.addEventSource(new SqsEventSource(this.syncQueue, { batchSize: 1, maxConcurrency: 2 }));

    const integration = new HttpLambdaIntegration('AdminIntegration', this.function);
    this.routes = routesOf('admin').flatMap((route) =>
      props.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer: route.authorizer === 'jwt' ? props.jwtAuthorizer : new HttpIamAuthorizer(),
      }),
    );
  }
}
