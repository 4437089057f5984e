import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import type { Response } from 'express';
import type { Pool } from 'pg';
import { Public } from '../auth/allow.decorator';
import { DATABASE_KIND, DATABASE_POOL } from '../tokens';

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
  ) {}

  @Get('health')
  @ApiOkResponse({ description: 'The database and the event store answer; their versions.' })
  @ApiServiceUnavailableResponse({
    description: 'The database or the event store does not answer.',
  })
  async health(@Res({ passthrough: true }) res: Response): Promise<object> {
    const [database, eventStore] = await Promise.all([this.database(), this.eventStore.health()]);
    const ok = database.ok && eventStore.ok;
    res.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'unavailable',
      database: { ...database, kind: this.databaseKind },
      eventStore: {
        ok: eventStore.ok,
        adapter: eventStore.adapter,
        version: eventStore.serverVersion,
        detail: eventStore.detail,
      },
    };
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
