import { fullJitterDelay, retryAfterMs } from './backoff';

/**
 * The retry discipline every board channel shares: one call is a series of HTTP requests,
 * retried when a second try may pass (network errors, timeouts, 408, 425, 429, 5xx) with
 * exponential backoff and full jitter, within an attempt budget and a time budget; a 4xx is a
 * refusal and is never retried. Channels (the JSON board protocol, ACCME PARS) differ only in
 * what they send and how they read an answer.
 */

export interface RetryingHttpOptions {
  /** Longest wait for one HTTP request, answer body included. Default 5000. */
  timeoutMs?: number;
  /** HTTP requests per call, the first included. Default 4. */
  maxAttempts?: number;
  /** Backoff ceiling before the first retry; it doubles per retry (full jitter). Default 200. */
  baseDelayMs?: number;
  /** Largest wait between two requests. Default 5000. */
  maxDelayMs?: number;
  /** Longest time one call may take, retries and waits included. Default 30000. */
  totalBudgetMs?: number;
  /** Injected for fast, deterministic tests. */
  sleep?: (ms: number) => Promise<void>;
  /** A share in [0, 1) for the jitter. Injected for deterministic tests. */
  random?: () => number;
  /** Milliseconds since the epoch, for the time budget. */
  now?: () => number;
}

export const RETRYING_HTTP_DEFAULTS = {
  timeoutMs: 5000,
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  totalBudgetMs: 30000,
} as const;

/** What one HTTP request came to. */
export type Step<T> =
  | { kind: 'done'; value: T }
  /** Network error, timeout, 408/425/429 or 5xx: another request may succeed. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** A 4xx: the board refused the request for good. */
  | { kind: 'refused'; status: number; reason: string };

export type Outcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'exhausted'; reason: string };

const RETRYABLE_STATUSES = new Set([408, 425, 429]);
const isRetryableStatus = (status: number): boolean =>
  RETRYABLE_STATUSES.has(status) || status >= 500;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RetryingHttp {
  readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly totalBudgetMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(options: RetryingHttpOptions) {
    this.timeoutMs = positive('timeoutMs', options.timeoutMs, RETRYING_HTTP_DEFAULTS.timeoutMs);
    this.maxAttempts = positive(
      'maxAttempts',
      options.maxAttempts,
      RETRYING_HTTP_DEFAULTS.maxAttempts,
    );
    if (!Number.isInteger(this.maxAttempts)) {
      throw new RangeError(`maxAttempts must be a whole number, got ${this.maxAttempts}`);
    }
    this.baseDelayMs = nonNegative(
      'baseDelayMs',
      options.baseDelayMs,
      RETRYING_HTTP_DEFAULTS.baseDelayMs,
    );
    this.maxDelayMs = nonNegative(
      'maxDelayMs',
      options.maxDelayMs,
      RETRYING_HTTP_DEFAULTS.maxDelayMs,
    );
    this.totalBudgetMs = positive(
      'totalBudgetMs',
      options.totalBudgetMs,
      RETRYING_HTTP_DEFAULTS.totalBudgetMs,
    );
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  /** A non-2xx answer: retryable (408, 425, 429, 5xx and anything odd) or refused (4xx). */
  failedStep<T>(response: Response, told: string | undefined): Step<T> {
    const status = response.status;
    if (status >= 400 && status < 500 && !isRetryableStatus(status)) {
      return {
        kind: 'refused',
        status,
        reason: told ?? `the board refused the request (HTTP ${status})`,
      };
    }
    const wait = retryAfterMs(response.headers.get('retry-after'), this.now());
    const reason = `HTTP ${status}${told === undefined ? '' : `: ${told}`}`;
    return wait === undefined
      ? { kind: 'retry', reason }
      : { kind: 'retry', reason, retryAfterMs: wait };
  }

  /** Runs `once` until it is done or refused, or the attempt or time budget is spent. */
  async withRetries<T>(once: (signal: AbortSignal) => Promise<Step<T>>): Promise<Outcome<T>> {
    const started = this.now();
    const elapsed = (): number => this.now() - started;
    let lastReason = 'no request made';
    let attempts = 0;
    for (;;) {
      attempts += 1;
      const timeoutMs = Math.max(1, Math.min(this.timeoutMs, this.totalBudgetMs - elapsed()));
      let step: Step<T>;
      try {
        step = await once(AbortSignal.timeout(timeoutMs));
      } catch (error) {
        step = { kind: 'retry', reason: describeFailure(error, timeoutMs) };
      }
      if (step.kind === 'done' || step.kind === 'refused') return step;
      lastReason = step.reason;
      if (attempts >= this.maxAttempts) break;
      const backoff = fullJitterDelay(
        attempts,
        { baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs },
        this.random,
      );
      const delay = Math.max(backoff, Math.min(step.retryAfterMs ?? 0, this.maxDelayMs));
      if (elapsed() + delay >= this.totalBudgetMs) break;
      await this.sleep(delay);
    }
    return {
      kind: 'exhausted',
      reason: `is unavailable: ${lastReason} (${attempts} attempt${attempts === 1 ? '' : 's'} in ${elapsed()} ms)`,
    };
  }
}

function positive(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen <= 0) {
    throw new RangeError(`${name} must be a positive number, got ${chosen}`);
  }
  return chosen;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < 0) {
    throw new RangeError(`${name} must be zero or more, got ${chosen}`);
  }
  return chosen;
}

/**
 * Why a request failed before an answer came: a timeout or a network error. Duck-typed, not
 * `instanceof Error`: fetch's errors may come from another realm (as under jest).
 */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (typeof error !== 'object' || error === null) return `network error: ${String(error)}`;
  const name = 'name' in error ? String(error.name) : '';
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = 'cause' in error ? error.cause : undefined;
  if (typeof cause === 'object' && cause !== null && 'code' in cause) {
    return `network error: ${String(cause.code)}`;
  }
  return `network error: ${'message' in error ? String(error.message) : name}`;
}
