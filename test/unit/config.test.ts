/** Configuration is parsed once, with defaults in one place and bounds that keep the service sane. */
import { parseConfig } from '../../shared/config.js';

describe('parseConfig', () => {
  it('gives the contract defaults', () => {
    expect(parseConfig({})).toMatchObject({
      reviewThresholdMinor: 5_000_000,
      velocityMax: 20,
      velocityWindowSeconds: 60,
      holdTtlSeconds: 604_800,
      expirySweepIntervalSeconds: 60,
      limitRefreshIntervalSeconds: 86_400,
    });
  });

  it('reads numbers from the environment and treats empty strings as unset', () => {
    expect(parseConfig({ VELOCITY_MAX: '5', REVIEW_THRESHOLD: '' })).toMatchObject({
      velocityMax: 5,
      reviewThresholdMinor: 5_000_000,
    });
  });

  it('refuses a refresh interval that a Node timer cannot hold (> 24 days)', () => {
    expect(() => parseConfig({ LIMIT_REFRESH_INTERVAL_SECONDS: String(25 * 86_400) })).toThrow();
  });

  it('takes the cursor key from a Secrets Manager ARN or (locally) a key of at least 32 characters, and knows Lambda', () => {
    const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:CursorKey-AbCdEf';
    expect(parseConfig({ CURSOR_KEY_SECRET_ARN: arn, AWS_LAMBDA_FUNCTION_NAME: 'journal' })).toMatchObject({
      cursorKeySecretArn: arn,
      inLambda: true,
    });
    expect(parseConfig({})).toMatchObject({
      cursorKeySecretArn: undefined,
      cursorKey: undefined,
      inLambda: false,
    });
    expect(() => parseConfig({ CURSOR_KEY: 'short' })).toThrow();
    expect(() => parseConfig({ CURSOR_KEY_SECRET_ARN: 'my-secret' })).toThrow();
  });

  it('refuses non-numbers and out-of-range values', () => {
    expect(() => parseConfig({ VELOCITY_MAX: 'many' })).toThrow();
    expect(() => parseConfig({ AUTH_HOLD_TTL_SECONDS: '0' })).toThrow();
  });

  it('scales deadlines only on DynamoDB Local, never in a deployed function, and the journal lag with them', () => {
    const local = { DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000' };
    expect(parseConfig({})).toMatchObject({ localTimeScale: 1, journalSettleMs: 10_000 });
    expect(parseConfig({ ...local, LOCAL_TIME_SCALE: '3' })).toMatchObject({
      localTimeScale: 3,
      journalSettleMs: 30_000,
    });
    expect(parseConfig({ ...local, LOCAL_TIME_SCALE: '3', JOURNAL_SETTLE_MS: '40000' }).journalSettleMs).toBe(
      40_000,
    );
    expect(() => parseConfig({ LOCAL_TIME_SCALE: '3' })).toThrow(/DynamoDB Local only/);
    expect(() => parseConfig({ ...local, LOCAL_TIME_SCALE: '3', AWS_LAMBDA_FUNCTION_NAME: 'f' })).toThrow(
      /DynamoDB Local only/,
    );
    expect(() => parseConfig({ ...local, LOCAL_TIME_SCALE: '11' })).toThrow();
  });

  it('names the risk settings parameter as the stack does, caches it 15 s, and keeps local-only settings out of Lambda', () => {
    expect(parseConfig({})).toMatchObject({
      riskSettingsParameter: '/CreditAuthorization-local/risk-settings',
      riskSettingsMaxAgeSeconds: 15,
      localParameterDir: undefined,
    });
    expect(parseConfig({ RISK_SETTINGS_PARAMETER: '/Staging-2/risk-settings' }).riskSettingsParameter).toBe(
      '/Staging-2/risk-settings',
    );
    for (const name of ['risk-settings', '/a/../b', '/a/./b', '/a b', '/a//b'])
      expect(() => parseConfig({ RISK_SETTINGS_PARAMETER: name })).toThrow();
    expect(() => parseConfig({ RISK_SETTINGS_MAX_AGE_SECONDS: '301' })).toThrow();
    const lambda = { AWS_LAMBDA_FUNCTION_NAME: 'authorize' };
    expect(parseConfig({ RISK_SETTINGS_MAX_AGE_SECONDS: '0' }).riskSettingsMaxAgeSeconds).toBe(0);
    expect(() => parseConfig({ ...lambda, RISK_SETTINGS_MAX_AGE_SECONDS: '0' })).toThrow(/local only/);
    expect(parseConfig({ LOCAL_PARAMETER_DIR: '.data/parameters' }).localParameterDir).toBe(
      '.data/parameters',
    );
    expect(() => parseConfig({ ...lambda, LOCAL_PARAMETER_DIR: '/tmp/p' })).toThrow(/local only/);
  });
});
