import {
  Inject,
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { defer, from, lastValueFrom, type Observable } from 'rxjs';
import type { DataSource, Repository } from 'typeorm';
import { InterruptibleLoop } from '@ledger/background';
import { IdempotencyRecord } from '@ledger/ledger';
import type { LedgerConfig } from '@ledger/runtime';
import { LEDGER_CONFIG, READ_MODELS } from '../tokens';
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
  private readonly records: Repository<IdempotencyRecord>;

  constructor(
    @Inject(READ_MODELS) private readonly dataSource: DataSource,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    this.records = dataSource.getRepository(IdempotencyRecord);
  }

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
    // New, or in place of a record past its retention: this request runs. (An upsert whose
    // update is conditional is beyond TypeORM's query builder: one statement, in SQL.)
    const inserted = (await this.dataSource.query(
      `INSERT INTO idempotency_records AS r (scope, key, request_hash, state)
       VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (scope, key) DO UPDATE
         SET request_hash = EXCLUDED.request_hash, state = 'pending', status = NULL, body = NULL,
             headers = NULL, created_at = now(), updated_at = now()
         WHERE r.updated_at < now() - make_interval(secs => $4)
       RETURNING 1 AS claimed`,
      [scope, key, requestHash, this.config.idempotencyRetentionMs / 1000],
    )) as unknown[];
    if (inserted.length === 1) return { kind: 'run' };
    const row = await this.records.findOne({
      select: { requestHash: true, state: true, status: true, body: true, headers: true },
      where: { scope, key },
    });
    if (!row) return this.claim(scope, key, requestHash);
    if (row.requestHash !== requestHash) {
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
    // Still pending: taken over when its first request stopped touching it long enough ago
    // (by the database's clock, as every age of a record).
    const taken = await this.records
      .createQueryBuilder()
      .update()
      .set({ updatedAt: () => 'now()' })
      .where({ scope, key, state: 'pending' })
      .andWhere('updated_at < now() - make_interval(secs => :stale)', {
        stale: STALE_PENDING_MS / 1000,
      })
      .execute();
    if (taken.affected === 1) return { kind: 'run' };
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
    await this.records.update(
      { scope, key },
      {
        state: 'done',
        status,
        body: JSON.stringify(body ?? null),
        headers,
        updatedAt: () => 'now()',
      },
    );
  }

  private async release(scope: string, key: string): Promise<void> {
    await this.records.delete({ scope, key, state: 'pending' });
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
 * Deletes idempotency records past their retention: once at start, then every hour (or every
 * retention, if shorter), in batches; several API processes may do it at once. Expiry itself
 * does not wait for it: a record past its retention is already treated as absent. A sweep that
 * fails is logged and tried again a minute later (or at the next sweep, if sooner). It is one
 * of the ledger's interruptible loops, so shutdown ends its wait at once.
 */
@Injectable()
export class IdempotencySweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private readonly loop: InterruptibleLoop;

  constructor(
    @Inject(READ_MODELS) private readonly dataSource: DataSource,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {
    const every = Math.min(config.idempotencyRetentionMs, 60 * 60 * 1000);
    this.loop = new InterruptibleLoop({
      turn: async () => {
        await this.sweep();
        return every;
      },
      backoffMs: () => Math.min(every, 60 * 1000),
      onFailure: (error) =>
        this.logger.warn({ msg: 'idempotency sweep failed', err: String(error) }),
    });
  }

  onApplicationBootstrap(): void {
    void this.loop.start();
  }

  /** Before the pool closes (onApplicationShutdown), as the other background work. */
  async onModuleDestroy(): Promise<void> {
    await this.loop.stop();
  }

  /** Deletes the expired records; answers how many. */
  async sweep(): Promise<number> {
    let deleted = 0;
    for (;;) {
      // In batches by ctid, so that no statement holds many rows' locks: SQL, as TypeORM's
      // query builder has no DELETE … LIMIT.
      const [{ gone }] = (await this.dataSource.query(
        `WITH gone AS (
           DELETE FROM idempotency_records WHERE ctid IN (
             SELECT ctid FROM idempotency_records
              WHERE updated_at < now() - make_interval(secs => $1) LIMIT 10000)
           RETURNING 1)
         SELECT count(*)::int AS gone FROM gone`,
        [this.config.idempotencyRetentionMs / 1000],
      )) as [{ gone: number }];
      deleted += gone;
      if (gone < 10000) return deleted;
    }
  }
}
