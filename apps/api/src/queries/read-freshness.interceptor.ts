import {
  Inject,
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { ProjectionBehindError, projectionStates } from '@ledger/read-models';
import { catchError, from, mergeMap, throwError, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import { describeWriter, holderOf, logHorizon } from '../operations/log-horizon';
import { READ_MODELS } from '../tokens';

/**
 * A read that waited for minPosition in vain (503) says why the read models are not there: a
 * projection stopped on an event, an append in progress holding the log's readable horizon
 * (named), or else that the projections have not caught up.
 */
@Injectable()
export class ReadFreshnessInterceptor implements NestInterceptor {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(READ_MODELS) private readonly readModels: DataSource,
  ) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next
      .handle()
      .pipe(
        catchError((error: unknown) =>
          error instanceof ProjectionBehindError
            ? from(this.explain(error)).pipe(mergeMap((e) => throwError(() => e)))
            : throwError(() => error),
        ),
      );
  }

  private async explain(error: ProjectionBehindError): Promise<ProjectionBehindError> {
    const reasons: string[] = [];
    try {
      for (const p of await projectionStates(this.readModels)) {
        if (p.failedEvent === null) continue;
        reasons.push(
          `projection ${p.name} stopped on event ${p.failedEvent} (${p.failure ?? 'failed'})`,
        );
      }
    } catch {
      // The reason is a courtesy: the 503 stands without it.
    }
    const horizon = await logHorizon(this.store);
    if (horizon && horizon.position <= error.wanted) {
      const holder = holderOf(horizon);
      reasons.push(
        `the log is readable only below position ${horizon.position}: ` +
          (holder
            ? `an append in progress holds it (${describeWriter(holder)})`
            : 'transactions still in progress hold it'),
      );
    }
    if (reasons.length === 0) {
      reasons.push(
        'the projections have not applied it yet (catching up, or not running: see /health)',
      );
    }
    return error.because(reasons.join('; '));
  }
}
