/**
 * Exponential backoff with full jitter: before retry n (n = 1 after the first failure), wait a
 * uniformly random time in [0, min(maxDelayMs, baseDelayMs · 2^(n-1))). Full jitter spreads
 * the retries of many callers after a board's outage instead of having them return in step.
 */
export function fullJitterDelay(
  retry: number,
  { baseDelayMs, maxDelayMs }: { baseDelayMs: number; maxDelayMs: number },
  random: () => number,
): number {
  if (!Number.isInteger(retry) || retry < 1) {
    throw new RangeError(`retry must be a whole number from 1, got ${retry}`);
  }
  // 2 ** 60 is far above any delay cap: stop doubling there so the ceiling stays finite.
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(retry - 1, 60));
  const share = Math.min(Math.max(random(), 0), 1);
  return Math.floor(share * ceiling);
}

/**
 * A `Retry-After` header (RFC 9110: delay-seconds or an HTTP date) as milliseconds from
 * `nowMs`; undefined when absent or unreadable.
 */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (header === null) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number.parseInt(text, 10) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
