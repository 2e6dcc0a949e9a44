/**
 * What the deployed bundles carry, built as the stack builds them (bench/bundles.ts, infra/bundling.ts): every
 * function brings Powertools Tracer and the X-Ray SDK, except POST /v1/authorizations, whose cold start and bundle
 * are budgeted (shared/http/untraced-route.ts).
 */
import { inputsOf } from '../support/bundles.js';

const xray = (inputs: string[]) => inputs.some((p) => p.includes('node_modules/aws-xray-sdk-core/'));
const tracer = (inputs: string[]) => inputs.some((p) => p.includes('@aws-lambda-powertools/tracer/'));

describe('the bundles', () => {
  it('leave the X-Ray SDK out of POST /v1/authorizations, which still logs with its context and writes EMF', async () => {
    const inputs = await inputsOf('functions/http/authorizations-create.ts');
    expect({ xray: xray(inputs), tracer: tracer(inputs) }).toEqual({ xray: false, tracer: false });
    expect(inputs.some((p) => p.includes('@aws-lambda-powertools/metrics/'))).toBe(true);
    expect(inputs.some((p) => p.includes('@aws-lambda-powertools/logger/lib/esm/middleware/'))).toBe(true);
  });

  it.each(['functions/http/authorizations-create.ts', 'functions/http/accounts-get.ts'])(
    'construct none of the OpenAPI response shapes, which route docs name without importing: %s',
    async (entry) => {
      const inputs = await inputsOf(entry);
      expect(inputs.filter((p) => p.includes('shared/openapi/'))).toEqual([]);
    },
  );

  it.each(['functions/http/authorizations-create.ts', 'functions/authorizer.ts'])(
    'build their schemas with zod/mini, never with classic zod (a quarter of the bundle, shared/zod.ts): %s',
    async (entry) => {
      const inputs = await inputsOf(entry);
      expect(inputs.filter((p) => p.includes('node_modules/zod/v4/classic/'))).toEqual([]);
      expect(inputs.some((p) => p.includes('node_modules/zod/v4/mini/'))).toBe(true);
    },
  );

  it.each([
    'functions/http/authorizations-capture.ts',
    'functions/authorizer.ts',
    'functions/jobs/limit-refresh-worker.ts',
  ])('trace every other function with the X-Ray SDK: %s', async (entry) => {
    const inputs = await inputsOf(entry);
    expect({ xray: xray(inputs), tracer: tracer(inputs) }).toEqual({ xray: true, tracer: true });
  });
});
