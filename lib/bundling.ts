// How every Lambda is bundled, stated once for the CDK (switchboard-function.ts) and `npm run bench`,
// so the bench measures the bundles exactly as they are deployed.
export const LAMBDA_BUNDLING = {
  target: 'node22',
  format: 'cjs',
  minify: true,
  // ES module builds of our dependencies (the AWS SDK's included) tree-shake better than their CommonJS ones.
  mainFields: ['module', 'main'],
  // The AWS SDK v3 is bundled, minified, from the versions package-lock.json pins, not taken from the
  // runtime's copy: the artifact tests then run the very SDK that is deployed, and the bench measured the
  // bundled SDK answering a first call no slower than the runtime's (docs/performance.md).
  external: [],
} as const;
