import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { createEventStore, EVENT_STORE, type EventStore } from '@ledger/event-store';
import { LoggerModule } from 'nestjs-pino';
import { Pool } from 'pg';
import type { LedgerConfig } from './config';
import { HealthController } from './health/health.controller';
import { DATABASE_KIND, DATABASE_POOL, LEDGER_CONFIG } from './tokens';

export interface AppRuntime {
  config: LedgerConfig;
  /** The PostgreSQL database (resolved: DATABASE_URL or the embedded server). */
  databaseUrl: string;
  databaseKind: 'embedded' | 'external';
}

@Module({})
export class AppModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
  ) {}

  static forRoot(runtime: AppRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        LoggerModule.forRoot({
          pinoHttp: {
            level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie'],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
          },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: DATABASE_KIND, useValue: runtime.databaseKind },
        {
          provide: DATABASE_POOL,
          useFactory: () => {
            const pool = new Pool({
              connectionString: runtime.databaseUrl,
              max: 10,
              application_name: 'cme-ledger-api',
            });
            pool.on('error', () => undefined);
            return pool;
          },
        },
        {
          provide: EVENT_STORE,
          useFactory: () =>
            createEventStore({
              kind: config.eventStore,
              postgresUrl: runtime.databaseUrl,
              eventStoreDbConnectionString: config.eventStoreConnectionString,
            }),
        },
      ],
      exports: [LEDGER_CONFIG, DATABASE_POOL, EVENT_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
    await this.pool.end();
  }
}
