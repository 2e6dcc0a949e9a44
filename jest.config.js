// Jest runs the TypeScript sources as native ESM (middy 6 is ESM-only): @swc/jest strips types,
// `node --experimental-vm-modules` (see package.json) lets jest load ES modules. Type checking is
// `npm run typecheck` (tsc), kept out of the test transform so tests start fast.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }],
  },
  // Sources import './x.js' (NodeNext style); map those to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  globalSetup: '<rootDir>/test/support/global-setup.mjs',
  globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
  // A default far above any single test's worst case on 2 busy cores: a slow machine is never a failure.
  // Long tests (property runs, synthesis) set their own, larger timeouts.
  testTimeout: 180_000,
  maxWorkers: 2,
};
