// How every Lambda is bundled, stated once for the CDK (switchboard-function.ts) and `npm run bench`,
// so the bench measures the bundles exactly as they are deployed.
export const LAMBDA_BUNDLING = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  // ES module builds of our dependencies tree-shake better than their CommonJS ones.
  mainFields: ['module', 'main'],
  // The AWS SDK v3 clients the Node.js 22 runtime ships are used instead of bundled copies: only the
  // report's SNS and the spill's SQS (loaded when DynamoDB fails) still use one. DynamoDB and Secrets
  // Manager go through lambdas/aws/aws-json.ts; @aws-sdk/util-dynamodb (its marshalling) is bundled,
  // so the item format does not depend on the runtime's SDK version (docs/performance.md).
  external: ['@aws-sdk/client-*'],
} as const;
