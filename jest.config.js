// One jest run, several projects, so a developer can run only what they need (`npx jest --selectProjects unit`)
// and `npm test` still runs everything in one process with one summary (.ci/run reads its --json).
//
// DynamoDB Local starts once per run, and only when a selected project needs it: jest collects the globalSetup
// paths of the projects whose tests were selected and runs each distinct path once (@jest/core runGlobalHook),
// so every project that needs the store names the same file, and the unit and infra projects name none.

/** What every project shares. */
const base = {
  testEnvironment: 'node',
  // One decision for ESM-only packages (@middy/core 6, jose 6, oidc-provider 9): swc compiles them to CommonJS with our own code,
  // so jest runs in its default CommonJS mode and nothing else needs --experimental-vm-modules.
  transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(?:@middy|jose|oidc-provider)/)'],
};

/** Projects that talk to DynamoDB Local: it starts once per run (~4 s), not once per project or file. */
const withDynamo = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

const TYPECHECK = '<rootDir>/test/unit/typecheck.test.ts';
const ARTIFACTS = '<rootDir>/test/infra/artifact*.test.ts';

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  maxWorkers: 2,
  projects: [
    // Pure code: no DynamoDB Local, no CDK, no tsc; seconds.
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/typecheck\\.test\\.ts$'] },
    // tsc over the server and the dashboard (~15 s): once per full run, kept out of `unit` to keep that fast.
    { ...base, displayName: 'typecheck', testMatch: [TYPECHECK] },
    // Handlers and stores against DynamoDB Local.
    { ...base, ...withDynamo, displayName: 'integration', testMatch: ['<rootDir>/test/integration/**/*.test.ts'] },
    // CDK assertions and cdk-nag on the synthesized template (placeholder assets, no bundling, no store).
    { ...base, displayName: 'infra', testMatch: ['<rootDir>/test/infra/**/*.test.ts'], testPathIgnorePatterns: ['/node_modules/', '/artifact[^/]*\\.test\\.ts$'] },
    // The bundled Lambdas run as Lambda would, against DynamoDB Local; the app is bundled once per run
    // (test/infra/artifact-support.ts), in the run's folder that this globalSetup makes.
    {
      ...base,
      displayName: 'artifact',
      testMatch: [ARTIFACTS],
      globalSetup: '<rootDir>/test/infra/artifact-global-setup.ts',
      globalTeardown: '<rootDir>/test/infra/artifact-global-teardown.ts',
    },
    // The local stack end to end, over HTTP.
    { ...base, ...withDynamo, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.test.ts'] },
    // The dashboard in headless Chromium.
    { ...base, ...withDynamo, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.test.ts'] },
  ],
};
