import { fullJitterDelay, retryAfterMs } from './backoff';

describe('fullJitterDelay', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1000 };

  it('doubles the ceiling with each retry and scales it by the random share', () => {
    expect(fullJitterDelay(1, policy, () => 0.5)).toBe(50);
    expect(fullJitterDelay(2, policy, () => 0.5)).toBe(100);
    expect(fullJitterDelay(3, policy, () => 0.5)).toBe(200);
    expect(fullJitterDelay(4, policy, () => 0.999)).toBe(799);
  });

  it('never exceeds the maximum delay, even after many retries', () => {
    expect(fullJitterDelay(5, policy, () => 0.999)).toBe(999);
    expect(fullJitterDelay(500, policy, () => 0.999)).toBe(999);
  });

  it('may retry at once (full jitter starts at zero)', () => {
    expect(fullJitterDelay(3, policy, () => 0)).toBe(0);
  });

  it('refuses a retry number below 1', () => {
    expect(() => fullJitterDelay(0, policy, () => 0.5)).toThrow(RangeError);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');

  it('reads delay-seconds', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
  });

  it('reads an HTTP date', () => {
    expect(retryAfterMs('Sun, 01 Mar 2026 12:00:05 GMT', now)).toBe(5000);
  });

  it('ignores an absent or unreadable header', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
