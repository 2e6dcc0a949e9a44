// Jest runs the TypeScript sources as native ESM (middy 6 is ESM-only): @swc/jest strips types,
// `node --experimental-vm-modules` (see package.json) lets jest load ES modules. Type checking is
// `npm run typecheck` (tsc), kept out of the test transform so tests start fast.
//
// Two projects:
// - `unit`: pure code and files on disk. No DynamoDB Local, no server, no synthesis: `npm run test:unit` takes
//   seconds.
// - `integration`: everything that needs a running service, DynamoDB Local (started once by the global setup,
//   unless DYNAMODB_ENDPOINT names one) or a CDK synthesis.

const shared = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } },
    ],
  },
  // Sources import './x.js' (NodeNext style); map those to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
};

/** Test files that need neither DynamoDB Local nor a synthesized stack. */
const UNIT = [
  '<rootDir>/test/unit/**/*.test.ts',
  '<rootDir>/test/openapi/openapi.test.ts',
  '<rootDir>/test/openapi/reference.test.ts',
  '<rootDir>/test/client/endpoints.test.ts',
  '<rootDir>/test/client/retries.test.ts',
  '<rootDir>/test/client/types.test.ts',
  '<rootDir>/test/infra/config.test.ts',
];

/** @type {import('jest').Config} */
export default {
  maxWorkers: 2,
  // A default far above any single test's or hook's worst case on 2 busy cores: a slow machine is never a
  // failure. Long tests (property runs, synthesis) set their own, larger timeouts. (A global option: jest ignores
  // it inside a project.)
  testTimeout: 180_000,
  projects: [
    { ...shared, displayName: 'unit', testMatch: UNIT },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: [
        '/node_modules/',
        ...UNIT.map((glob) => glob.replace('<rootDir>', '').replace('/**/*.test.ts', '/')),
      ],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
    },
  ],
};
