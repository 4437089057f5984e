/** Where a bucket stands after a request: what the RateLimit headers and a 429 tell the caller. */
export interface RateLimitState {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Whole seconds until the window ends and the bucket is full again (at least 1). */
  resetSeconds: number;
}

interface Window {
  startedAt: number;
  hits: number;
}

/** Windows are swept once the map holds this many, so that memory stays bounded. */
const SWEEP_AT = 10_000;

/**
 * A fixed-window counter per key (an API key's fingerprint, or an address), in this process's
 * memory: `limit` requests per `windowMs`, counted from a key's first request in the window.
 * Several API processes each count on their own.
 */
export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request of the key; `allowed` is false past the limit (the request is not counted). */
  hit(key: string): RateLimitState {
    const window = this.current(key, true);
    const allowed = window.hits < this.limit;
    if (allowed) window.hits += 1;
    return this.state(window, allowed);
  }

  /** Where the key stands, without counting a request: `allowed` is false once it is used up. */
  peek(key: string): RateLimitState {
    const window = this.current(key, false);
    return this.state(window, window.hits < this.limit);
  }

  private current(key: string, create: boolean): Window {
    const now = this.now();
    const found = this.windows.get(key);
    if (found && now - found.startedAt < this.windowMs) return found;
    const fresh = { startedAt: now, hits: 0 };
    if (create) {
      if (this.windows.size >= SWEEP_AT) this.sweep(now);
      this.windows.set(key, fresh);
    }
    return fresh;
  }

  private state(window: Window, allowed: boolean): RateLimitState {
    const left = window.startedAt + this.windowMs - this.now();
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - window.hits),
      resetSeconds: Math.max(1, Math.ceil(left / 1000)),
    };
  }

  private sweep(now: number): void {
    for (const [key, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(key);
    }
  }
}
