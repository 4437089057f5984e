import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { createEventStore, EVENT_STORE, runMigrations, type EventStore } from '@ledger/event-store';
import {
  boardSubmissionEventCodec,
  BOARD_SUBMISSION_EVENT_CODEC,
  DECISION_SETTINGS,
  ExecuteBoardSubmissionCommandHandler,
  ExecuteLearnerCommandHandler,
  LEARNER_EVENT_CODEC,
  learnerEventCodec,
  LEDGER_CLOCK,
  LEDGER_MIGRATIONS,
  LEDGER_MIGRATIONS_LOCK,
  LEDGER_MIGRATIONS_TABLE,
  PersonalDataCipher,
  RetryBoardSubmissionHandler,
  StreamCommandExecutor,
  type Clock,
} from '@ledger/ledger';
import type { Request } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { Pool } from 'pg';
import { ApiKeyGuard, API_KEYS } from './auth/api-key.guard';
import { apiKeysFromConfig } from './auth/api-keys';
import { RetryBoardSubmissionController } from './board-submissions/retry-board-submission/retry-board-submission.controller';
import type { LedgerConfig } from './config';
import { HealthController } from './health/health.controller';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { IdempotencyInterceptor } from './http/idempotency.interceptor';
import { ledgerValidationPipe } from './http/validation';
import { ClaimCreditsController } from './learners/claim-credits/claim-credits.controller';
import { RecordAnswerController } from './learners/record-answer/record-answer.controller';
import { RecordResearchController } from './learners/record-research/record-research.controller';
import { UpdateProfileController } from './learners/update-profile/update-profile.controller';
import { DATABASE_KIND, DATABASE_POOL, LEDGER_CONFIG } from './tokens';

export interface AppRuntime {
  config: LedgerConfig;
  /** The PostgreSQL database (resolved: DATABASE_URL or the embedded server). */
  databaseUrl: string;
  databaseKind: 'embedded' | 'external';
  /** The clock commands are decided with; the system clock unless a test fixes it. */
  clock?: Clock;
}

/** Per API key, not per address: internal services share addresses behind proxies. */
class ApiKeyThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const request = req as unknown as Request;
    return request.ledger?.caller?.keyId ?? request.ip ?? 'unknown';
  }
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
        ThrottlerModule.forRoot([
          { name: 'per-key', ttl: 60_000, limit: config.rateLimitPerMinute },
        ]),
        LoggerModule.forRoot({
          pinoHttp: {
            level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie'],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
            customProps: (req) => {
              const ledger = (req as Request).ledger;
              return { correlationId: ledger?.correlationId, actor: ledger?.caller?.actor };
            },
          },
        }),
      ],
      controllers: [
        HealthController,
        UpdateProfileController,
        RecordResearchController,
        RecordAnswerController,
        ClaimCreditsController,
        RetryBoardSubmissionController,
      ],
      providers: [
        { provide: LEDGER_CONFIG, useValue: config },
        { provide: DATABASE_KIND, useValue: runtime.databaseKind },
        { provide: LEDGER_CLOCK, useValue: runtime.clock ?? (() => new Date()) },
        {
          provide: DECISION_SETTINGS,
          useValue: { timeZone: config.timeZone, maxClockSkewMs: config.maxClockSkewMs },
        },
        { provide: API_KEYS, useValue: apiKeysFromConfig(config) },
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
            createEventStore({
              kind: config.eventStore,
              postgresUrl: runtime.databaseUrl,
              eventStoreDbConnectionString: config.eventStoreConnectionString,
            }),
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
        {
          provide: LEARNER_EVENT_CODEC,
          inject: [PersonalDataCipher],
          useFactory: learnerEventCodec,
        },
        { provide: BOARD_SUBMISSION_EVENT_CODEC, useFactory: () => boardSubmissionEventCodec() },
        ExecuteLearnerCommandHandler,
        ExecuteBoardSubmissionCommandHandler,
        RetryBoardSubmissionHandler,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: ledgerValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
      exports: [LEDGER_CONFIG, DATABASE_POOL, EVENT_STORE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.eventStore.close();
    await this.pool.end();
  }
}
