/**
 * A `fetch` that retries what is safe to retry: answers 503 (the ledger is briefly unable, or a
 * read model is behind `minPosition`), 429 (a rate budget spent) and 409 `request-in-progress`
 * (the first try of this same command is still running), and network errors (the request may
 * or may not have reached the ledger). A command is made safe to retry by its Idempotency-Key:
 * one key per logical command, created here when the caller gave none, and sent unchanged on
 * every retry, so the ledger records the command once and answers a retry as it answered the
 * first try. DELETE carries no key and the ledger does not need one: erasing twice erases once.
 *
 * No Node-only module is imported: it runs in browsers, workers and Node 20+.
 */

export interface RetryOptions {
  /** Tries in all, the first included (default 4). 1 turns retries off. */
  attempts?: number;
  /** The first backoff, doubled at each retry, with full jitter (default 200 ms). */
  baseDelayMs?: number;
  /** No wait is longer (default 5000 ms); a Retry-After asking for more ends the retries. */
  maxDelayMs?: number;
}

type Fetch = (request: Request) => Promise<Response>;

const COMMAND_METHODS = new Set(['POST', 'PUT', 'PATCH']);
export const IDEMPOTENCY_KEY = 'Idempotency-Key';

/** A fresh Idempotency-Key for one logical command. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

/**
 * The wait the server asks for in `Retry-After` (seconds or an HTTP date), in ms; undefined
 * when it asks for none (or says something unreadable).
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function isRetryable(response: Response): Promise<boolean> {
  if (response.status === 503 || response.status === 429) return true;
  if (response.status !== 409) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { code?: unknown } | undefined;
  return body?.code === 'request-in-progress';
}

const sleep = (ms: number, signal: AbortSignal | null): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Wraps `fetch` (the global one by default) with the retries and the Idempotency-Key above. */
export function retryingFetch(options: RetryOptions = {}, base?: Fetch): Fetch {
  const attempts = Math.max(1, options.attempts ?? 4);
  const baseDelayMs = options.baseDelayMs ?? 200;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const send: Fetch = base ?? ((request) => globalThis.fetch(request));
  return async (original) => {
    const request = original.clone();
    if (COMMAND_METHODS.has(request.method) && !request.headers.has(IDEMPOTENCY_KEY)) {
      request.headers.set(IDEMPOTENCY_KEY, newIdempotencyKey());
    }
    // A request's body can be read once: each try sends a clone of the one prepared here.
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= attempts;
      let response: Response;
      try {
        response = await send(last ? request : request.clone());
      } catch (error) {
        if (last || request.signal.aborted) throw error;
        await sleep(backoff(attempt, baseDelayMs, maxDelayMs), request.signal);
        continue;
      }
      if (last || !(await isRetryable(response))) return response;
      const asked = retryAfterMs(response.headers.get('Retry-After'));
      // Never sooner than the server asked; if it asks for more than we may wait, its answer stands.
      if (asked !== undefined && asked > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(Math.max(asked ?? 0, backoff(attempt, baseDelayMs, maxDelayMs)), request.signal);
    }
  };
}

/** Exponential backoff with full jitter: a random wait in [0, base·2^(attempt-1)], capped. */
function backoff(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
}
