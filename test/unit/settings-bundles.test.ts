/**
 * The SSM client (~180 KiB minified) is in the bundle of the one function that writes the risk settings, and in
 * no reader's: authorize's bundle is budgeted (shared/settings/ssm-reader.ts). Built as the stack builds them.
 */
import { inputsOf } from '../support/bundles.js';

const ssmClient = (inputs: string[]) => inputs.some((p) => p.includes('node_modules/@aws-sdk/client-ssm/'));
const reader = (inputs: string[]) => inputs.some((p) => p.endsWith('shared/settings/ssm-reader.ts'));

describe('the risk settings in the bundles', () => {
  it.each([
    'functions/http/authorizations-create.ts',
    'functions/http/authorizations-increment.ts',
    'functions/http/risk-settings-get.ts',
    'functions/jobs/limit-refresh-scheduler.ts',
  ])('are read from SSM without the SSM client: %s', async (entry) => {
    const inputs = await inputsOf(entry);
    expect({ reader: reader(inputs), ssmClient: ssmClient(inputs) }).toEqual({
      reader: true,
      ssmClient: false,
    });
  });

  it('are written with Powertools SSMProvider and the SSM client by PUT /v1/risk-settings alone', async () => {
    const inputs = await inputsOf('functions/http/risk-settings-put.ts');
    expect(ssmClient(inputs)).toBe(true);
    expect(inputs.some((p) => p.includes('@aws-lambda-powertools/parameters/lib/esm/ssm/'))).toBe(true);
  });
});
