import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Duration, Lazy, type RemovalPolicy, DockerImage, Stack, Validations } from 'aws-cdk-lib';
import { CfnPolicy, CfnRole } from 'aws-cdk-lib/aws-iam';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, type CfnBucket } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, CacheControl, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { DashboardConfig } from '../lambdas/api-types';
import { dashboardCsp } from '../lambdas/config/dashboard-headers';

export interface DashboardHostingProps {
  readonly removalPolicy: RemovalPolicy;
  /** The HTTP API whose /api/* the distribution serves on the dashboard's own origin. */
  readonly httpApi: HttpApi;
  /** A custom domain for the dashboard, and its ACM certificate (us-east-1, as CloudFront requires). */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
}

const ROOT = resolve(__dirname, '..');

/**
 * The hosted dashboard (DESIGN.md section 8, 12): the built web/ in a private bucket read only by CloudFront
 * (origin access control), HTTPS only, the security headers the local server sends (the same CSP, plus the
 * sign-in's origins), and `/api/*` sent by the same distribution to the HTTP API, so the page and the API
 * are one origin. `deploy()` uploads the build and the page's config.json once the sign-in exists.
 */
export class DashboardHosting extends Construct {
  readonly bucket: Bucket;
  readonly distribution: Distribution;
  readonly headers: ResponseHeadersPolicy;
  /** https://<the distribution's domain or the custom one>, without a trailing slash. */
  readonly url: string;
  private readonly connect: string[] = [];

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The bucket holds only the public build of the dashboard, written by the deployment and read by CloudFront alone (origin access control); no one else reads it',
    });

    this.headers = new ResponseHeadersPolicy(this, 'Headers', {
      comment: 'Switchboard dashboard: the CSP and headers the local server sends',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: Lazy.string({ produce: () => dashboardCsp(this.connect) }), override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });

    const api = new HttpOrigin(`${props.httpApi.apiId}.execute-api.${props.httpApi.stack.region}.${props.httpApi.stack.urlSuffix}`, {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });
    this.distribution = new Distribution(this, 'Cdn', {
      comment: 'Switchboard dashboard',
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021,
      ...(props.domain && { domainNames: [props.domain.name], certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn) }),
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: this.headers,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      },
      additionalBehaviors: {
        // The admin API on the page's origin: never cached; every header but Host goes through (the
        // Authorization header included, which CloudFront forwards this way only with caching off).
        '/api/*': {
          origin: api,
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headers,
        },
      },
    });
    for (const [rule, reason] of [
      ['AwsSolutions-CFR1', 'The team signs in from wherever they are (phones included); no country is to be refused'],
      ['AwsSolutions-CFR2', 'WAF is billed per rule and request; the API behind /api/* refuses anything without a valid Cognito token (JWT authorizer) and is throttled'],
      ['AwsSolutions-CFR3', 'The API requests behind /api/* are in the HTTP API access logs; the static files are the public build of the page'],
      ...(props.domain ? [] : [['AwsSolutions-CFR4', 'Without a custom domain CloudFront serves its own *.cloudfront.net certificate, whose TLS policy cannot be set; with dashboardDomain the minimum is TLS 1.2 (2021)']]),
    ]) {
      Validations.of(this.distribution).acknowledge({ id: rule, reason });
    }
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}`;
  }

  /** Origins the page may fetch from besides its own (the sign-in's), added to the CSP's connect-src. */
  allowConnect(...origins: string[]): void {
    this.connect.push(...origins);
  }

  /**
   * Uploads the dashboard's build (web/, built by esbuild at synth, as `npm start` builds it) and its
   * config.json, then invalidates the distribution. Files are revalidated on every load (no-cache): their
   * names do not change between builds.
   */
  deploy(config: DashboardConfig): BucketDeployment {
    const web = Source.asset(join(ROOT, 'web'), {
      bundling: {
        // Never used: the build runs on this machine (tryBundle), offline, like the functions' esbuild.
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
        local: {
          tryBundle(outputDir: string) {
            execFileSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'scripts', 'build-web.ts'), outputDir], { stdio: 'inherit' });
            return true;
          },
        },
      },
    });
    const deployment = new BucketDeployment(this, 'Deploy', {
      sources: [web, Source.jsonData('config.json', config)],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      cacheControl: [CacheControl.noCache()],
      memoryLimit: 512,
    });
    // The upload's function is CDK's own singleton (one per stack, outside this construct): its findings are
    // acknowledged on its role, policy and function, and nowhere else.
    for (const construct of Stack.of(this).node.findAll()) {
      if (!construct.node.path.includes('/Custom::CDKBucketDeployment')) continue;
      if (construct instanceof CfnFunction) {
        Validations.of(construct).acknowledge({ id: 'AwsSolutions-L1', reason: "CDK's BucketDeployment function: its runtime is the one aws-cdk-lib chooses for it, not ours to pin" });
      }
      if (construct instanceof CfnRole) {
        Validations.of(construct).acknowledge({
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: "CDK's BucketDeployment function writes its logs with the basic execution role, which aws-cdk-lib attaches",
        });
      }
      if (construct instanceof CfnPolicy) {
        const site = Stack.of(this).resolve((this.bucket.node.defaultChild as CfnBucket).logicalId) as string;
        const grants: Array<[string, string]> = [
          ['Action::s3:GetObject*', 'read the web asset'],
          ['Action::s3:GetBucket*', 'read the buckets'],
          ['Action::s3:List*', 'list what to replace'],
          ['Action::s3:DeleteObject*', 'remove files the new build no longer has'],
          ['Action::s3:Abort*', 'abort a failed upload'],
          ['Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*', 'the CDK assets bucket holds the web asset'],
          [`Resource::<${site}.Arn>/*`, "the dashboard bucket's objects are what it writes"],
          ['Resource::*', 'CloudFront invalidations have no resource-level permission'],
        ];
        for (const [appliesTo, why] of grants) {
          Validations.of(construct).acknowledge({ id: `AwsSolutions-IAM5[${appliesTo}]`, reason: `CDK's BucketDeployment function, as aws-cdk-lib grants it: ${why}` });
        }
      }
    }
    return deployment;
  }
}
