import {
  BoardRequestRefusedError,
  BoardUnavailableError,
  type BoardGateway,
  type BoardRecordStatus,
  type BoardSubmissionRequest,
  type BoardSubmissionResult,
} from '../board-gateway.port';
import { fullJitterDelay, retryAfterMs } from './backoff';

export interface HttpBoardGatewayOptions {
  /** Where the boards answer, e.g. `http://127.0.0.1:4010` (the board simulator). */
  baseUrl: string;
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

export const HTTP_BOARD_GATEWAY_DEFAULTS = {
  timeoutMs: 5000,
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5000,
  totalBudgetMs: 30000,
} as const;

/** What one HTTP request came to. */
type Step<T> =
  | { kind: 'done'; value: T }
  /** Network error, timeout, 408/425/429 or 5xx: another request may succeed. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** A 4xx: the board refused the request for good. */
  | { kind: 'refused'; status: number; reason: string };

type Outcome<T> =
  | { kind: 'done'; value: T }
  | { kind: 'refused'; status: number; reason: string }
  | { kind: 'exhausted'; reason: string };

const RETRYABLE_STATUSES = new Set([408, 425, 429]);
const isRetryableStatus = (status: number): boolean =>
  RETRYABLE_STATUSES.has(status) || status >= 500;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The board reporting gateway over HTTP (ACCME-style direct credit reporting). Each call
 * retries what may pass on a second try (network errors, timeouts, 408, 425, 429, 5xx) with
 * exponential backoff and full jitter, within an attempt budget and a time budget; a 4xx is a
 * refusal and is never retried. The submission id travels as the idempotency key (the
 * `Idempotency-Key` header and `submissionId` in the body), so that a retry of a request the
 * board did receive, but whose answer was lost, records nothing twice.
 */
export class HttpBoardGateway implements BoardGateway {
  private readonly baseUrl: URL;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly totalBudgetMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;

  constructor(options: HttpBoardGatewayOptions) {
    const base = options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`;
    this.baseUrl = new URL(base);
    this.timeoutMs = positive(
      'timeoutMs',
      options.timeoutMs,
      HTTP_BOARD_GATEWAY_DEFAULTS.timeoutMs,
    );
    this.maxAttempts = positive(
      'maxAttempts',
      options.maxAttempts,
      HTTP_BOARD_GATEWAY_DEFAULTS.maxAttempts,
    );
    if (!Number.isInteger(this.maxAttempts)) {
      throw new RangeError(`maxAttempts must be a whole number, got ${this.maxAttempts}`);
    }
    this.baseDelayMs = nonNegative(
      'baseDelayMs',
      options.baseDelayMs,
      HTTP_BOARD_GATEWAY_DEFAULTS.baseDelayMs,
    );
    this.maxDelayMs = nonNegative(
      'maxDelayMs',
      options.maxDelayMs,
      HTTP_BOARD_GATEWAY_DEFAULTS.maxDelayMs,
    );
    this.totalBudgetMs = positive(
      'totalBudgetMs',
      options.totalBudgetMs,
      HTTP_BOARD_GATEWAY_DEFAULTS.totalBudgetMs,
    );
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
  }

  async submit(request: BoardSubmissionRequest): Promise<BoardSubmissionResult> {
    const url = this.url(`boards/${encodeURIComponent(request.board)}/submissions`);
    const body = JSON.stringify(request);
    const outcome = await this.withRetries<string>(async (signal) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'Idempotency-Key': request.submissionId,
        },
        body,
        signal,
      });
      const answer = await readJson(response);
      if (response.status === 200 || response.status === 201) {
        const boardRecordId = answer?.['boardRecordId'];
        if (typeof boardRecordId === 'string' && boardRecordId !== '') {
          return { kind: 'done', value: boardRecordId };
        }
        return { kind: 'retry', reason: `HTTP ${response.status} without a boardRecordId` };
      }
      return this.failedStep(response, answer);
    });
    switch (outcome.kind) {
      case 'done':
        return { outcome: 'accepted', boardRecordId: outcome.value };
      case 'refused':
        return { outcome: 'rejected', reason: outcome.reason };
      case 'exhausted':
        return { outcome: 'unavailable', reason: `${request.board} ${outcome.reason}` };
      default: {
        const unexpected: never = outcome;
        throw new Error(`unexpected outcome ${JSON.stringify(unexpected)}`);
      }
    }
  }

  async recordStatus(board: string, submissionId: string): Promise<BoardRecordStatus> {
    const url = this.url(
      `boards/${encodeURIComponent(board)}/submissions/${encodeURIComponent(submissionId)}`,
    );
    const outcome = await this.withRetries<BoardRecordStatus>(async (signal) => {
      const response = await fetch(url, { headers: { Accept: 'application/json' }, signal });
      const answer = await readJson(response);
      if (response.status === 200) {
        const status = asRecordStatus(answer);
        return status === undefined
          ? { kind: 'retry', reason: 'HTTP 200 without a record status' }
          : { kind: 'done', value: status };
      }
      if (response.status === 404 && answer?.['found'] === false) {
        return { kind: 'done', value: { found: false, confirmed: false } };
      }
      return this.failedStep(response, answer);
    });
    switch (outcome.kind) {
      case 'done':
        return outcome.value;
      case 'refused':
        throw new BoardRequestRefusedError(board, outcome.status, outcome.reason);
      case 'exhausted':
        throw new BoardUnavailableError(board, `${board} ${outcome.reason}`);
      default: {
        const unexpected: never = outcome;
        throw new Error(`unexpected outcome ${JSON.stringify(unexpected)}`);
      }
    }
  }

  private url(path: string): URL {
    return new URL(path, this.baseUrl);
  }

  /** A non-2xx answer: retryable (408, 425, 429, 5xx and anything odd) or refused (4xx). */
  private failedStep<T>(response: Response, answer: Record<string, unknown> | undefined): Step<T> {
    const told = boardReason(answer);
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
  private async withRetries<T>(
    once: (signal: AbortSignal) => Promise<Step<T>>,
  ): Promise<Outcome<T>> {
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

/** The answer's JSON object, if it is one; the body is always read so the socket is freed. */
async function readJson(response: Response): Promise<Record<string, unknown> | undefined> {
  const text = await response.text();
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function boardReason(answer: Record<string, unknown> | undefined): string | undefined {
  const reason = answer?.['reason'] ?? answer?.['message'];
  return typeof reason === 'string' && reason.trim() !== '' ? reason : undefined;
}

function asRecordStatus(
  answer: Record<string, unknown> | undefined,
): BoardRecordStatus | undefined {
  const found = answer?.['found'];
  const confirmed = answer?.['confirmed'];
  const confirmedAt = answer?.['confirmedAt'];
  if (typeof found !== 'boolean' || typeof confirmed !== 'boolean') return undefined;
  return typeof confirmedAt === 'string' ? { found, confirmed, confirmedAt } : { found, confirmed };
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
