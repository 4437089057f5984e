import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { createEventStore, EVENT_STORE, runMigrations, type EventStore } from '@ledger/event-store';
import {
  boardSubmissionEventCodec,
  BOARD_SUBMISSION_EVENT_CODEC,
  DECISION_SETTINGS,
  LEARNER_EVENT_CODEC,
  learnerEventCodec,
  LEDGER_CLOCK,
  LEDGER_MIGRATIONS,
  LEDGER_MIGRATIONS_LOCK,
  LEDGER_MIGRATIONS_TABLE,
  PersonalDataCipher,
  StreamCommandExecutor,
  type Clock,
} from '@ledger/ledger';
import { openReadModels } from '@ledger/read-models';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { eventStoreOptions, type LedgerConfig } from '@ledger/runtime';
import { DATABASE_KIND, DATABASE_POOL, LEDGER_CONFIG, READ_MODELS } from './tokens';

export interface CoreRuntime {
  config: LedgerConfig;
  databaseUrl: string;
  databaseKind: 'embedded' | 'external';
  clock?: Clock;
  /** The event store to use instead of the configured one (tests over a stand-in client). */
  eventStore?: () => Promise<EventStore>;
}

/**
 * The infrastructure every feature module uses, available everywhere: configuration, clock,
 * the PostgreSQL pool (operational tables), the event store, the read models' data source,
 * the personal-data cipher, the event codecs and the command executor.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
    @Inject(DATABASE_POOL) private readonly pool: Pool,
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(READ_MODELS) private readonly readModels: DataSource,
  ) {}

  static forRoot(runtime: CoreRuntime): DynamicModule {
    const { config } = runtime;
    const providers = [
      { provide: LEDGER_CONFIG, useValue: config },
      { provide: DATABASE_KIND, useValue: runtime.databaseKind },
      { provide: LEDGER_CLOCK, useValue: runtime.clock ?? (() => new Date()) },
      {
        provide: DECISION_SETTINGS,
        useValue: {
          timeZone: config.timeZone,
          maxClockSkewMs: config.maxClockSkewMs,
          maxBackdateMs: config.maxBackdateMs,
        },
      },
      {
        provide: DATABASE_POOL,
        useFactory: async () => {
          const pool = new Pool({
            connectionString: runtime.databaseUrl,
            max: 10,
            application_name: 'cme-ledger-api',
          });
          pool.on('error', () => undefined);
          await runMigrations(
            pool,
            LEDGER_MIGRATIONS,
            LEDGER_MIGRATIONS_TABLE,
            LEDGER_MIGRATIONS_LOCK,
          );
          return pool;
        },
      },
      {
        provide: EVENT_STORE,
        useFactory: () =>
          runtime.eventStore?.() ??
          createEventStore(eventStoreOptions(config, runtime.databaseUrl)),
      },
      {
        provide: READ_MODELS,
        useFactory: () => openReadModels(runtime.databaseUrl, { name: 'cme-ledger-api-read' }),
      },
      {
        provide: PersonalDataCipher,
        inject: [DATABASE_POOL],
        useFactory: (pool: Pool) => new PersonalDataCipher(pool, config.masterKey),
      },
      {
        provide: StreamCommandExecutor,
        inject: [EVENT_STORE],
        useFactory: (store: EventStore) => new StreamCommandExecutor(store),
      },
      { provide: LEARNER_EVENT_CODEC, inject: [PersonalDataCipher], useFactory: learnerEventCodec },
      { provide: BOARD_SUBMISSION_EVENT_CODEC, useFactory: () => boardSubmissionEventCodec() },
    ];
    return {
      module: CoreModule,
      providers,
      exports: providers.map((p) => p.provide),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
    await this.readModels.destroy();
    await this.pool.end();
  }
}
