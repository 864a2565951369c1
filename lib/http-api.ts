import { Lazy, type RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpStage, LogGroupLogDestination, type CfnRoute, type CfnStage, type HttpRoute, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface SwitchboardHttpApiProps {
  readonly stage: string;
  readonly removalPolicy: RemovalPolicy;
  /** Steady-state requests per second of a route without limits of its own (`throttleRoutes`). @default 50 */
  readonly rateLimit?: number;
  /** @default 100 */
  readonly burstLimit?: number;
}

/**
 * Each carrier webhook route's limits (per route: API Gateway keeps one token bucket per route key).
 * Sized for the carrier, not for people: a call makes a request every few seconds, a busy hour of
 * calls and texts stays far below 100 per second, and a burst of 200 absorbs Twilio retrying after a
 * blip. docs/operations.md.
 */
export const CARRIER_THROTTLE: ThrottleSettings = { rateLimit: 100, burstLimit: 200 };
/** The admin API's limits: a few people and scripts (`npm run carrier`), never the carrier's traffic. */
export const ADMIN_THROTTLE: ThrottleSettings = { rateLimit: 20, burstLimit: 40 };

/** The one public HTTP API: the admin API under /api/ and the carrier webhooks under /twilio/. */
export class SwitchboardHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  private readonly routeSettings: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};

  constructor(scope: Construct, id: string, props: SwitchboardHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: `switchboard-${props.stage}`,
      description: 'Switchboard: admin API (/api/*, IAM) and Twilio webhooks (/twilio/*, signed)',
      // The default stage is created below: HttpApi's own has no access logs or throttling.
      createDefaultStage: false,
    });
    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 50, burstLimit: props.burstLimit ?? 100 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        // The route key, not the path: paths carry phone numbers (/api/numbers/+1555...), which must
        // not reach the logs. No query string either: continuation URLs carry caller state.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            route: '$context.routeKey',
            method: '$context.httpMethod',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            responseLength: '$context.responseLength',
            ip: '$context.identity.sourceIp',
            caller: '$context.identity.caller',
            userArn: '$context.identity.userArn',
          }),
        ),
      },
    });
  }

  /**
   * Gives these routes limits of their own on the stage (RouteSettings by route key), apart from every
   * other route's: an admin burst then cannot use up the carrier's requests, nor the carrier the admins'.
   */
  throttleRoutes(routes: HttpRoute[], limits: ThrottleSettings): void {
    const stage = this.stage.node.defaultChild as CfnStage;
    for (const route of routes) {
      const routeKey = (route.node.defaultChild as CfnRoute).routeKey;
      this.routeSettings[routeKey] = { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit };
      // CloudFormation refuses settings for a route key that does not exist yet.
      stage.node.addDependency(route);
    }
    stage.routeSettings = Lazy.any({ produce: () => (Object.keys(this.routeSettings).length ? this.routeSettings : undefined) });
  }

  /** Base URL of the default stage, ending with a slash. */
  get url(): string {
    return this.stage.url;
  }
}
