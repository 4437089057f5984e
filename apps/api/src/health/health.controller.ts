import { Controller, Get, HttpStatus, Inject, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore, type SubscriptionsHealth } from '@ledger/event-store';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { Public } from '../auth/allow.decorator';
import { viaOperationsPort } from '../operations/operations-port';
import { DATABASE_KIND, DATABASE_POOL, READ_MODELS } from '../tokens';
import type { DataSource } from 'typeorm';

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
  ) {}

  @Get('health')
  @ApiOkResponse({
    description:
      'The database and the event store answer: `{ "status": "ok" }`. With an admin key (or on the ' +
      'operations port) the details too: versions, adapter, each projection and its failure.',
  })
  @ApiServiceUnavailableResponse({
    description: 'The database or the event store does not answer: `{ "status": "unavailable" }`.',
  })
  async health(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<object> {
    const [database, eventStore, projections] = await Promise.all([
      this.database(),
      this.eventStore.health(),
      this.projections(),
    ]);
    const ok = database.ok && eventStore.ok;
    const failed = projections.filter((p) => p.failedEvent !== null);
    const subscriptions = eventStore.subscriptions;
    // A subscription the store stopped (access, integrity) or one retrying: reads go stale.
    const subscriptionsDegraded =
      subscriptions !== undefined &&
      (subscriptions.lastError !== undefined ||
        subscriptions.running.some((s) => s.state === 'retrying'));
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    // Without an admin key: up or down only (versions and stream names help an attacker).
    const details = req.ledger.caller?.role === 'admin' || viaOperationsPort(req);
    if (!details) return { status: ok ? 'ok' : 'unavailable' };
    return {
      // A projection quarantined an event it cannot apply (that learner's reads refuse until a
      // rebuild), or the store's subscription stopped or is retrying: reads go stale.
      status: !ok ? 'unavailable' : failed.length > 0 || subscriptionsDegraded ? 'degraded' : 'ok',
      database: { ...database, kind: this.databaseKind },
      eventStore: {
        ok: eventStore.ok,
        adapter: eventStore.adapter,
        version: eventStore.serverVersion,
        detail: eventStore.detail,
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
