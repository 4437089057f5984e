import createClient, { type Client, type ClientOptions } from 'openapi-fetch';
import type { components, operations, paths } from './schema.js';
import { retryingFetch, type RetryOptions } from './retrying-fetch.js';

export type { components, operations, paths };
export {
  IDEMPOTENCY_KEY,
  newIdempotencyKey,
  retryAfterMs,
  retryingFetch,
  type RetryOptions,
} from './retrying-fetch.js';

/** The ledger's one error shape, as every 4xx and 5xx answer carries it. */
export type LedgerError = components['schemas']['ErrorResponse'];

export interface LedgerClientOptions extends Omit<ClientOptions, 'fetch' | 'baseUrl' | 'headers'> {
  /** Where the ledger is, e.g. `https://ledger.internal` (no trailing `/v1`). */
  baseUrl: string;
  /** The caller's API key (opaque), sent as `Authorization: Bearer …`. */
  apiKey: string;
  /** Retries on 503, 429, 409 request-in-progress and network errors; `{ attempts: 1 }`: none. */
  retry?: RetryOptions;
  /** Headers sent with every request (e.g. `X-Correlation-Id`). */
  headers?: Record<string, string>;
  /** The fetch to send with (the global one by default), e.g. a test's or a proxy's. */
  fetch?: (request: Request) => Promise<Response>;
}

export type LedgerClient = Client<paths>;

/**
 * A typed client of the ledger: `client.POST('/v1/learners/{learnerId}/claims', { params, body })`
 * answers `{ data, error, response }`, typed from the OpenAPI document. Every command carries an
 * Idempotency-Key (pass your own in `headers` to make a retry after a restart safe too).
 */
export function createLedgerClient(options: LedgerClientOptions): LedgerClient {
  const { apiKey, retry, fetch, headers, ...rest } = options;
  return createClient<paths>({
    ...rest,
    headers: { ...headers, Authorization: `Bearer ${apiKey}` },
    fetch: retryingFetch(retry, fetch),
  });
}
