import {
  Global,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { StreamVerifier } from '@ledger/audit';
import {
  createEventStore,
  EVENT_STORE,
  eventStoreSessionSettings,
  type EventStore,
} from '@ledger/event-store';
import {
  boardSubmissionEventCodec,
  BOARD_SUBMISSION_EVENT_CODEC,
  DECISION_SETTINGS,
  LEARNER_EVENT_CODEC,
  learnerEventCodec,
  LEDGER_CLOCK,
  PersonalDataCipher,
  PostgresSnapshotStore,
  snapshotKey,
  snapshotCodecs,
  streamStateWeights,
  StreamCommandExecutor,
  type Clock,
} from '@ledger/ledger';
import { poolOf } from '@ledger/read-models';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { transparencyProviders } from './audit/transparency/transparency.providers';
import { eventStoreOptions, openLedgerDataSource, type LedgerConfig } from '@ledger/runtime';
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
 * Connections of the API process's one pool: appends, reads of the log, projections (a lease
 * each holds one), read-model queries and the operational tables share them.
 */
export const API_POOL_SIZE = 20;

/**
 * The infrastructure every feature module uses, available everywhere: configuration, clock,
 * the PostgreSQL pool (one per process), the event store, the read models' data source,
 * the personal-data cipher, the event codecs, the command executor (with its snapshots) and the
 * log's Merkle tree with the verifier the executor runs on each stream it loads afresh.
 */
@Global()
@Module({})
export class CoreModule implements OnApplicationShutdown {
  constructor(
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
        // The process's one pool: the data source opens it (its migrations make the operational
        // tables with the read models'), with the sessions the event store needs; the event
        // store and the operational tables use it too.
        provide: READ_MODELS,
        useFactory: () =>
          openLedgerDataSource(runtime.databaseUrl, {
            name: 'cme-ledger-api',
            poolSize: API_POOL_SIZE,
            sessionSettings: eventStoreSessionSettings(
              eventStoreOptions(config, runtime.databaseUrl),
            ),
          }),
      },
      {
        provide: DATABASE_POOL,
        inject: [READ_MODELS],
        useFactory: (readModels: DataSource) => poolOf(readModels),
      },
      {
        provide: EVENT_STORE,
        inject: [DATABASE_POOL],
        useFactory: (pool: Pool) =>
          runtime.eventStore?.() ??
          createEventStore({
            ...eventStoreOptions(config, runtime.databaseUrl),
            postgresPool: pool,
          }),
      },
      {
        provide: PersonalDataCipher,
        inject: [READ_MODELS],
        useFactory: (readModels: DataSource) =>
          new PersonalDataCipher(readModels, config.masterKey, config.keyCacheBytes),
      },
      {
        provide: StreamCommandExecutor,
        inject: [EVENT_STORE, READ_MODELS, PersonalDataCipher, StreamVerifier],
        useFactory: (
          store: EventStore,
          readModels: DataSource,
          cipher: PersonalDataCipher,
          verifier: StreamVerifier,
        ) =>
          new StreamCommandExecutor(store, {
            cacheBytes: config.streamCacheBytes,
            stateBytes: streamStateWeights,
            snapshots: {
              store: new PostgresSnapshotStore(readModels),
              key: snapshotKey(config.masterKey),
              every: config.snapshotEvery,
              codecs: snapshotCodecs(cipher),
            },
            verifier,
          }),
      },
      ...transparencyProviders(config),
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
    // Ends the process's one pool (the event store's too).
    await this.readModels.destroy();
  }
}
