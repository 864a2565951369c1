// How every Lambda is bundled, stated once for the CDK (switchboard-function.ts) and `npm run bench`,
// so the bench measures the bundles exactly as they are deployed.
export const LAMBDA_BUNDLING = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  // ES module builds of our dependencies tree-shake better than their CommonJS ones.
  mainFields: ['module', 'main'],
  // The AWS SDK v3 the Node.js 22 runtime ships is used instead of a bundled copy (docs/performance.md).
  external: ['@aws-sdk/*'],
} as const;
