import { RemovalPolicy } from 'aws-cdk-lib';
import type { Node } from 'constructs';

/** Deployment settings, read from CDK context (`-c key=value` or cdk.json) and checked before any resource exists. */
export interface SwitchboardConfig {
  readonly stage: string;
  /** Only `prod` keeps data when the stack goes away: every other stage is disposable. */
  readonly production: boolean;
  /** RETAIN in production, DESTROY elsewhere; applied to every stateful resource (tables, logs, secret, key). */
  readonly removalPolicy: RemovalPolicy;
  readonly alertEmail?: string;
  /** Public base URL Twilio calls (custom domain), without a trailing slash. */
  readonly publicUrl?: string;
  readonly reportSchedule: string;
  /** Provisioned concurrency of the voice function (0: none, on-demand only). */
  readonly warmVoice: number;
  /** The hosted dashboard's custom domain and its ACM certificate in us-east-1 (`dashboardDomain`, `dashboardCertificateArn`). */
  readonly dashboardDomain?: { readonly name: string; readonly certificateArn: string };
  /** The verified SES identity voicemail emails come from (an address or a domain); none: no emails. */
  readonly emailFrom?: string;
  /** Where the dashboard is, for the links in emails; absent: the stack's hosted dashboard. */
  readonly dashboardUrl?: string;
}

export const DEFAULT_STAGE = 'dev';
export const DEFAULT_REPORT_SCHEDULE = 'rate(1 hour)';
/** More warm voice environments than this is a typo, not a plan: each one is billed every second (docs/operations.md). */
export const MAX_WARM_VOICE = 100;

// The stage becomes part of the stack name, so it must be a valid CloudFormation stack name fragment.
const STAGE = /^[a-z][a-z0-9-]{0,31}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
// EventBridge cron has six fields: minutes hours day-of-month month day-of-week year.
const CRON = /^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$/;

export function readSwitchboardConfig(node: Node): SwitchboardConfig {
  const problems: string[] = [];
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') {
      problems.push(`context ${key} must be a string, got ${JSON.stringify(value)}`);
      return undefined;
    }
    return value.trim();
  };

  const stage = text('stage') ?? DEFAULT_STAGE;
  if (!STAGE.test(stage)) problems.push(`context stage "${stage}" must match ${STAGE} (it is part of the stack name)`);

  const alertEmail = text('alertEmail');
  if (alertEmail !== undefined && !EMAIL.test(alertEmail)) problems.push(`context alertEmail "${alertEmail}" is not an email address`);

  let publicUrl = text('publicUrl');
  if (publicUrl !== undefined) {
    publicUrl = publicUrl.replace(/\/+$/, '');
    if (!isHttpsUrl(publicUrl)) problems.push(`context publicUrl "${publicUrl}" must be an https:// URL without query or fragment`);
  }

  const reportSchedule = text('reportSchedule') ?? DEFAULT_REPORT_SCHEDULE;
  const scheduleProblem = checkScheduleExpression(reportSchedule);
  if (scheduleProblem) problems.push(`context reportSchedule "${reportSchedule}" ${scheduleProblem}`);

  const warm: unknown = node.tryGetContext('warmVoice') ?? 0;
  // `-c warmVoice=2` arrives as a string, cdk.json may hold a number.
  const warmVoice = typeof warm === 'string' && /^\d+$/.test(warm.trim()) ? Number(warm) : warm;
  if (typeof warmVoice !== 'number' || !Number.isInteger(warmVoice) || warmVoice < 0 || warmVoice > MAX_WARM_VOICE) {
    problems.push(`context warmVoice ${JSON.stringify(warm)} must be a whole number from 0 to ${MAX_WARM_VOICE} (provisioned concurrency of the voice function)`);
  }

  const domainName = text('dashboardDomain');
  const certificateArn = text('dashboardCertificateArn');
  if (domainName !== undefined && !DOMAIN.test(domainName)) problems.push(`context dashboardDomain "${domainName}" must be a host name like calls-admin.example.com`);
  if ((domainName === undefined) !== (certificateArn === undefined)) {
    problems.push('context dashboardDomain and dashboardCertificateArn go together: the domain needs its certificate (ACM, us-east-1)');
  }
  if (certificateArn !== undefined && !/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/.test(certificateArn)) {
    problems.push(`context dashboardCertificateArn "${certificateArn}" must be an ACM certificate ARN in us-east-1 (CloudFront's region)`);
  }

  const emailFrom = text('emailFrom');
  if (emailFrom !== undefined && !EMAIL.test(emailFrom) && !DOMAIN.test(emailFrom)) {
    problems.push(`context emailFrom "${emailFrom}" must be a verified SES identity: an email address or a domain`);
  }

  // Absent: the stack's own hosted dashboard (its CloudFront URL, or dashboardDomain).
  const dashboardUrl = text('dashboardUrl')?.replace(/\/+$/, '');
  if (dashboardUrl !== undefined && !isWebUrl(dashboardUrl)) problems.push(`context dashboardUrl "${dashboardUrl}" must be an http(s):// URL without query or fragment`);

  if (problems.length) throw new Error(`Invalid Switchboard settings:\n  - ${problems.join('\n  - ')}`);

  const production = stage === 'prod';
  return {
    stage,
    production,
    removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    alertEmail,
    publicUrl,
    reportSchedule,
    warmVoice: warmVoice as number,
    ...(domainName && certificateArn && { dashboardDomain: { name: domainName.toLowerCase(), certificateArn } }),
    emailFrom,
    dashboardUrl,
  };
}

/** Returns why an EventBridge schedule expression is invalid, or undefined when it is valid. */
export function checkScheduleExpression(expression: string): string | undefined {
  const rate = RATE.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const unit = rate[2];
    if (value < 1) return 'must have a rate of at least 1';
    // EventBridge rejects "rate(1 hours)" and "rate(2 hour)" at deploy time; catching it here fails synth instead.
    if ((value === 1) !== !unit.endsWith('s')) return `must use the ${value === 1 ? 'singular' : 'plural'} unit`;
    return undefined;
  }
  if (CRON.test(expression)) return undefined;
  return 'must be an EventBridge schedule expression: rate(<n> minute(s)|hour(s)|day(s)) or cron(<6 fields>)';
}

function isWebUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'https:' || url.protocol === 'http:') && !url.search && !url.hash;
  } catch {
    return false;
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && !url.search && !url.hash;
  } catch {
    return false;
  }
}
