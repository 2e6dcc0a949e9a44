/**
 * Inside Lambda (AWS_LAMBDA_FUNCTION_NAME set) the service's metrics go to stdout as Powertools writes them, one
 * EMF document per line, for CloudWatch Logs to extract; and nothing is written for an invocation that counted
 * nothing (Powertools alone would warn on each). Elsewhere they go to the logger at debug
 * (test/integration/observability.test.ts reads them there).
 */
let emf: typeof import('../../shared/observability/emf.js');

beforeAll(async () => {
  // This file's own module registry (jest): the configuration below is what the service reads at import.
  process.env['AWS_LAMBDA_FUNCTION_NAME'] = 'credit-authorization-authorize';
  // What the stack sets on every function: the stage's namespace (infra/names.ts).
  process.env['POWERTOOLS_METRICS_NAMESPACE'] = 'CreditAuthorization/prod';
  delete process.env['LOCAL_TIME_SCALE'];
  delete process.env['DYNAMODB_ENDPOINT'];
  emf = await import('../../shared/observability/emf.js');
});

/** What the service writes to stdout and stderr while `work` runs, line by line (not Node's own warnings). */
function written(work: () => void): string[] {
  const chunks: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = ((chunk: unknown) => chunks.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    work();
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '' && !/^\((node:\d+|Use `node)/.test(line));
}

afterAll(() => {
  delete process.env['AWS_LAMBDA_FUNCTION_NAME'];
  delete process.env['POWERTOOLS_METRICS_NAMESPACE'];
});

describe('EMF inside Lambda', () => {
  it('writes a decline to stdout as one EMF document', () => {
    const lines = written(() => emf.countAuthorization('declined', 'velocity_exceeded'));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          {
            Namespace: 'CreditAuthorization/prod',
            Dimensions: [['service'], ['service', 'outcome'], ['service', 'declineCode']],
            Metrics: [{ Name: 'Authorizations', Unit: 'Count' }],
          },
        ],
      },
      service: 'credit-authorization',
      outcome: 'declined',
      declineCode: 'velocity_exceeded',
      Authorizations: 1,
    });
  });

  it("publishes the invocation's counters once, and nothing at all when it counted nothing", () => {
    const counted = written(() => {
      emf.countTransactionConflict();
      emf.countTransactionConflict();
      emf.metrics.publishStoredMetrics();
    });
    expect(counted).toHaveLength(1);
    expect(JSON.parse(counted[0]!)).toMatchObject({ TransactionConflicts: [1, 1] });
    expect(written(() => emf.metrics.publishStoredMetrics())).toEqual([]);
  });

  it('refuses a decline code outside the catalogue, or an outcome and code that disagree', () => {
    expect(() => emf.countAuthorization('declined', 'no_such_code' as never)).toThrow(/decline code/);
    expect(() => emf.countAuthorization('authorized', 'insufficient_credit')).toThrow(/only a decline/);
    expect(() => emf.countAuthorization('declined')).toThrow(/only a decline/);
  });
});
