import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { HttpMethod, type HttpApi, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { routesOf } from '../lambdas/config/routes';
import { SwitchboardFunction, handlerEntry, type SwitchboardTables } from './switchboard-function';

export interface AdminApiProps {
  readonly httpApi: HttpApi;
  readonly tables: SwitchboardTables;
  readonly removalPolicy: RemovalPolicy;
  readonly metricsNamespace: string;
}

/** The admin API: one Lambda behind `ANY /api/{proxy+}`, callable only with SigV4-signed requests. */
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
      numbers: 'readWrite',
      flows: 'readWrite',
      directory: 'readWrite',
      state: 'readWrite',
      messages: 'read',
      traces: 'read',
    });

    const integration = new HttpLambdaIntegration('AdminIntegration', this.function);
    this.routes = routesOf('admin').flatMap((route) =>
      props.httpApi.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration, authorizer: new HttpIamAuthorizer() }),
    );
  }
}
