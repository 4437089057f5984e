import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { defer, from, lastValueFrom, type Observable } from 'rxjs';
import type { LedgerConfig } from '@ledger/runtime';
import { DATABASE_POOL, LEDGER_CONFIG } from '../tokens';
import { ApiError } from './api-error';
import { requestDigest } from './command-context';
import { toErrorResponse } from './error-mapping';

const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
/**
 * A pending record older than this is taken over by a retry (its first request died with its
 * process, or is stuck on a database that went away). Taking over is safe even if the first is
 * still running: both carry the same command id, so the store records their events once.
 */
const STALE_PENDING_MS = 5_000;

/**
 * `Idempotency-Key` on POST and PUT: the first answer (status and body, success or refusal) is
 * stored per caller and key; a retry with the same key and the same request gets it back and
 * records nothing new; the same key with another request is refused (422). Answers of 5xx are
 * not stored, so a retry after a fault runs again (and the command's own id keeps its events
 * from being recorded twice). A record is kept for the retention (LEDGER_IDEMPOTENCY_TTL_HOURS,
 * default 7 days), longer than any client retries; after it the key is free: a request with it
 * runs as new (IdempotencySweeper deletes expired records).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const header = request.headers['idempotency-key'];
    if ((request.method !== 'POST' && request.method !== 'PUT') || header === undefined)
      return next.handle();
    return defer(() => from(this.handle(request, response, String(header), next)));
  }

  private async handle(
    request: Request,
    response: Response,
    key: string,
    next: CallHandler,
  ): Promise<unknown> {
    if (!KEY.test(key)) {
      throw new ApiError(
        400,
        'validation-failed',
        'Idempotency-Key: 1 to 200 characters of A-Z a-z 0-9 . _ : -',
        {
          errors: [
            {
              field: 'Idempotency-Key',
              message: 'must be 1 to 200 characters of A-Z a-z 0-9 . _ : -',
            },
          ],
        },
      );
    }
    const scope = request.ledger.caller?.keyId ?? 'anonymous';
    const requestHash = requestDigest(request);
    const claimed = await this.claim(scope, key, requestHash);
    if (claimed.kind === 'replay') {
      for (const [name, value] of Object.entries(claimed.headers)) response.setHeader(name, value);
      response.setHeader('Idempotent-Replayed', 'true');
      response.status(claimed.status);
      // A refusal replayed is an error answer of this request: its correlation id, as every one.
      const { body } = claimed;
      return claimed.status >= 400 && typeof body === 'object' && body !== null
        ? { ...body, correlationId: request.ledger.correlationId }
        : body;
    }
    try {
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.complete(scope, key, response.statusCode, body, pickHeaders(response));
      return body;
    } catch (error) {
      const { body, headers } = toErrorResponse(error);
      if (body.statusCode < 500) await this.complete(scope, key, body.statusCode, body, headers);
      else await this.release(scope, key);
      throw error;
    }
  }

  private async claim(
    scope: string,
    key: string,
    requestHash: string,
  ): Promise<
    | { kind: 'run' }
    | { kind: 'replay'; status: number; body: unknown; headers: Record<string, string> }
  > {
    // New, or in place of a record past its retention: this request runs.
    const inserted = await this.pool.query(
      `INSERT INTO idempotency_records AS r (scope, key, request_hash, state)
       VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (scope, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'pending', status = NULL, body = NULL,
             headers = NULL, created_at = now(), updated_at = now()
         WHERE r.updated_at < now() - make_interval(secs => $4)`,
      [scope, key, requestHash, this.config.idempotencyRetentionMs / 1000],
    );
    if (inserted.rowCount === 1) return { kind: 'run' };
    const { rows } = await this.pool.query<{
      request_hash: string;
      state: string;
      status: number | null;
      body: string | null;
      headers: Record<string, string> | null;
      age_ms: number;
    }>(
      `SELECT request_hash, state, status, body, headers,
              (extract(epoch FROM now() - updated_at) * 1000)::float8 AS age_ms
         FROM idempotency_records WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = rows[0];
    if (!row) return this.claim(scope, key, requestHash);
    if (row.request_hash !== requestHash) {
      throw new ApiError(
        422,
        'idempotency-key-reused',
        'this Idempotency-Key was used before with a different request',
        {
          errors: [{ field: 'Idempotency-Key', message: 'already used with a different request' }],
        },
      );
    }
    if (row.state === 'done' && row.status !== null) {
      return {
        kind: 'replay',
        status: row.status,
        body: row.body === null ? null : (JSON.parse(row.body) as unknown),
        headers: row.headers ?? {},
      };
    }
    if (row.age_ms > STALE_PENDING_MS) {
      const taken = await this.pool.query(
        `UPDATE idempotency_records SET updated_at = now()
          WHERE scope = $1 AND key = $2 AND state = 'pending' AND updated_at < now() - make_interval(secs => $3)`,
        [scope, key, STALE_PENDING_MS / 1000],
      );
      if (taken.rowCount === 1) return { kind: 'run' };
    }
    throw new ApiError(
      409,
      'request-in-progress',
      'a request with this Idempotency-Key is still being handled; retry shortly',
      {
        headers: { 'retry-after': '1' },
      },
    );
  }

  private async complete(
    scope: string,
    key: string,
    status: number,
    body: unknown,
    headers: Record<string, string>,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE idempotency_records SET state = 'done', status = $3, body = $4, headers = $5, updated_at = now()
        WHERE scope = $1 AND key = $2`,
      [scope, key, status, JSON.stringify(body ?? null), JSON.stringify(headers)],
    );
  }

  private async release(scope: string, key: string): Promise<void> {
    await this.pool.query(
      `DELETE FROM idempotency_records WHERE scope = $1 AND key = $2 AND state = 'pending'`,
      [scope, key],
    );
  }
}

/** Headers of an answer that a replay must carry too. */
function pickHeaders(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of ['location', 'etag']) {
    const value = response.getHeader(name);
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * Deletes idempotency records past their retention, every hour (or every retention, if
 * shorter), in batches; several API processes may do it at once. Expiry itself does not wait
 * for it: a record past its retention is already treated as absent.
 */
@Injectable()
export class IdempotencySweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Idempotency');
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = Math.min(this.config.idempotencyRetentionMs, 60 * 60 * 1000);
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) =>
        this.logger.warn({ msg: 'idempotency sweep failed', err: String(error) }),
      );
    }, every);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes the expired records; answers how many. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      const { rowCount } = await this.pool.query(
        `DELETE FROM idempotency_records WHERE ctid IN (
           SELECT ctid FROM idempotency_records
            WHERE updated_at < now() - make_interval(secs => $1) LIMIT 10000)`,
        [this.config.idempotencyRetentionMs / 1000],
      );
      deleted += rowCount ?? 0;
      if ((rowCount ?? 0) < 10000) return deleted;
    }
  }
}
