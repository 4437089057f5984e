import { Controller, Get, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { EVENT_STORE, type EventStore, type SubscriptionsHealth } from '@ledger/event-store';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { Public } from '../auth/allow.decorator';
import type { LedgerConfig } from '@ledger/runtime';
import { describeWriter, logHorizon } from '../operations/log-horizon';
import { viaOperationsPort } from '../operations/operations-port';
import { DATABASE_KIND, DATABASE_POOL, LEDGER_CONFIG, READ_MODELS } from '../tokens';
import type { DataSource } from 'typeorm';
import { HealthResponse } from './health.response';

interface ComponentHealth {
  ok: boolean;
  version?: string;
  detail?: string;
}

@ApiTags('operations')
@Public()
@Controller()
export class HealthController {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(DATABASE_KIND) private readonly databaseKind: 'embedded' | 'external',
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODELS) private readonly readModels: DataSource,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Get('health')
  @ApiOperation({ summary: 'Whether the ledger can answer: its database and event store (public)' })
  @ApiOkResponse({
    type: HealthResponse,
    description:
      'The database and the event store answer: `{ "status": "ok" }` (`degraded` when reads go ' +
      'stale). With an admin key (or on the operations port) the details too: versions, adapter, ' +
      'each projection and its failure, and `degraded` saying why: a projection stopped on an ' +
      'event, an event store subscription stopped or is retrying, or an append has held the ' +
      "log's readers back longer than LEDGER_HORIZON_MAX_HOLD_MS.",
  })
  @ApiServiceUnavailableResponse({
    type: HealthResponse,
    description: 'The database or the event store does not answer: `{ "status": "unavailable" }`.',
  })
  async health(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<object> {
    const [database, eventStore, projections, horizon] = await Promise.all([
      this.database(),
      this.eventStore.health(),
      this.projections(),
      logHorizon(this.eventStore),
    ]);
    const ok = database.ok && eventStore.ok;
    const subscriptions = eventStore.subscriptions;
    // Commands still work in each case; reads go stale.
    const degraded = [
      ...projections
        .filter((p) => p.failedEvent !== null)
        .map(
          (p) =>
            `projection ${p.name} quarantined ${p.failedEvent} (fix the cause, then rebuild): ${p.failure ?? ''}`,
        ),
      ...(horizon?.writers ?? [])
        .filter((w) => w.ageMs >= this.config.horizonMaxHoldMs)
        .map((w) => `an append in progress holds the log's readers back (${describeWriter(w)})`),
      // A subscription the store stopped (access, integrity) or one retrying.
      ...(subscriptions?.lastError
        ? [`an event store subscription stopped: ${subscriptions.lastError.message}`]
        : []),
      ...(subscriptions?.running.some((r) => r.state === 'retrying')
        ? ['an event store subscription is retrying']
        : []),
    ];
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    // Without an admin key: up or down only (versions and stream names help an attacker).
    const details = req.ledger.caller?.role === 'admin' || viaOperationsPort(req);
    if (!details) return { status: ok ? 'ok' : 'unavailable' };
    return {
      status: !ok ? 'unavailable' : degraded.length > 0 ? 'degraded' : 'ok',
      degraded,
      database: { ...database, kind: this.databaseKind },
      eventStore: {
        ok: eventStore.ok,
        adapter: eventStore.adapter,
        version: eventStore.serverVersion,
        detail: eventStore.detail,
        ...(horizon
          ? {
              horizon: {
                position: horizon.position.toString(),
                passedOver: horizon.passedOver,
                appendsInProgress: horizon.writers.map((w) => ({
                  pid: w.pid,
                  applicationName: w.applicationName,
                  database: w.database,
                  state: w.state,
                  waitEvent: w.waitEvent,
                  ageSeconds: Math.round(w.ageMs) / 1000,
                  holdsReaders: w.holdsHorizon,
                })),
              },
            }
          : {}),
        ...(subscriptions ? { subscriptions: subscriptionsView(subscriptions) } : {}),
      },
      projections,
    };
  }

  private async projections(): Promise<
    { name: string; position: string; failedEvent: string | null; failure: string | null }[]
  > {
    try {
      return (await this.readModels.query(
        `SELECT name, live_position::text AS position, failed_event AS "failedEvent", failure FROM projection_state ORDER BY name`,
      )) as {
        name: string;
        position: string;
        failedEvent: string | null;
        failure: string | null;
      }[];
    } catch {
      return [];
    }
  }

  private async database(): Promise<ComponentHealth> {
    try {
      const { rows } = await this.pool.query<{ server_version: string }>('SHOW server_version');
      return { ok: true, version: `PostgreSQL ${rows[0]?.server_version ?? '?'}` };
    } catch (error) {
      return { ok: false, detail: (error as Error).message };
    }
  }
}

/** The store's subscriptions as JSON (positions as strings, like every position the API shows). */
function subscriptionsView(s: SubscriptionsHealth): object {
  return {
    running: s.running.map((r) => ({ ...r, position: r.position.toString() })),
    stopped: s.stopped,
    ...(s.lastError
      ? { lastError: { message: s.lastError.message, at: s.lastError.at.toISOString() } }
      : {}),
  };
}
