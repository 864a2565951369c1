import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi, type HttpRoute, type IHttpRouteAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { routesOf } from '../lambdas/config/routes';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';

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
 */
export class AdminApi extends Construct {
  readonly function: SwitchboardFunction;
  readonly routes: HttpRoute[];

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.function = new SwitchboardFunction(this, 'Function', {
      entry: handlerEntry('admin-api'),
      description: 'Switchboard admin API: flows, numbers, users, groups, mailboxes, traces, report',
      removalPolicy: props.removalPolicy,
      metricsNamespace: props.metricsNamespace,
      // Deleting a flow with ?unassign=true rewrites every number it served, in retried transactions:
      // allow up to just under HTTP API's 30-second integration limit.
      timeout: Duration.seconds(29),
    }).useTables(props.tables, {
      // find/get (GetItem), the paged list (Scan, or the noFlow index), a flow's numbers (byFlow); register,
      // assign, unassign and delete in transactions of Put, Update and Delete items.
      numbers: { actions: ['GetItem', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['byFlow', 'noFlow'] },
      // Heads and revisions (GetItem), heads of a page of numbers (BatchGetItem), revisions (Query of the
      // table), the heads index; publish (Put, Update), delete (Delete, then UpdateItem of expiresAt), and
      // numberCount (Update items of the numbers' transactions).
      flows: { actions: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['heads'] },
      // Users and groups: GetItem, the byKind index, PutItem/UpdateItem/DeleteItem (alone or in transactions).
      directory: { actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['byKind'] },
      // Mailboxes are read through the byMailbox index only; the admin API writes no message.
      messages: { actions: [], indexes: ['byMailbox'] },
      // A call's trace: Query of the table by sid.
      traces: { actions: ['Query'] },
      // The report: its mark (GetItem) and unrouted events (Query of the table); it publishes no mark.
      state: { actions: ['GetItem', 'Query'] },
    });

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
