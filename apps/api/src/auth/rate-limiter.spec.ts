import { RateLimiter } from './rate-limiter';

describe('RateLimiter: a fixed window per key', () => {
  it('allows the limit per window, refuses past it without counting, and fills again when the window ends', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(2, 60_000, () => now);
    expect(limiter.hit('k')).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
    now += 10_500;
    expect(limiter.hit('k')).toEqual({ allowed: true, limit: 2, remaining: 0, resetSeconds: 50 });
    expect(limiter.hit('k').allowed).toBe(false);
    expect(limiter.peek('k')).toEqual({ allowed: false, limit: 2, remaining: 0, resetSeconds: 50 });
    expect(limiter.hit('other').allowed).toBe(true);
    now += 49_500;
    expect(limiter.peek('k').allowed).toBe(true);
    expect(limiter.hit('k')).toEqual({ allowed: true, limit: 2, remaining: 1, resetSeconds: 60 });
  });

  it('peeking counts nothing', () => {
    const limiter = new RateLimiter(1, 60_000);
    for (let i = 0; i < 5; i++) expect(limiter.peek('k').allowed).toBe(true);
    expect(limiter.hit('k').allowed).toBe(true);
    expect(limiter.hit('k').allowed).toBe(false);
  });

  it('keeps memory bounded: windows that ended are swept', () => {
    let now = 0;
    const limiter = new RateLimiter(1, 1_000, () => now);
    for (let i = 0; i < 25_000; i++) {
      limiter.hit(`address-${i}`);
      now += 1;
    }
    const size = (limiter as unknown as { windows: Map<string, unknown> }).windows.size;
    expect(size).toBeLessThanOrEqual(10_000);
  });
});
