/** Configuration is parsed once, with defaults in one place and bounds that keep the service sane. */
import { parseConfig } from '../../shared/config.js';

describe('parseConfig', () => {
  it('gives the contract defaults', () => {
    expect(parseConfig({})).toMatchObject({
      reviewThresholdMinor: 5_000_000, velocityMax: 20, velocityWindowSeconds: 60, holdTtlSeconds: 604_800,
      expirySweepIntervalSeconds: 60, limitRefreshIntervalSeconds: 86_400,
    });
  });

  it('reads numbers from the environment and treats empty strings as unset', () => {
    expect(parseConfig({ VELOCITY_MAX: '5', REVIEW_THRESHOLD: '' })).toMatchObject({ velocityMax: 5, reviewThresholdMinor: 5_000_000 });
  });

  it('refuses a refresh interval that a Node timer cannot hold (> 24 days)', () => {
    expect(() => parseConfig({ LIMIT_REFRESH_INTERVAL_SECONDS: String(25 * 86_400) })).toThrow();
  });

  it('refuses non-numbers and out-of-range values', () => {
    expect(() => parseConfig({ VELOCITY_MAX: 'many' })).toThrow();
    expect(() => parseConfig({ AUTH_HOLD_TTL_SECONDS: '0' })).toThrow();
  });
});
