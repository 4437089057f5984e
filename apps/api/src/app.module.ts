import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import {
  LEDGER_COMMAND_HANDLERS,
  PersonalDataCipher,
  StreamCommandExecutor,
  type Clock,
} from '@ledger/ledger';
import type { Request } from 'express';
import { LoggerModule } from 'nestjs-pino';
import { ApiKeyGuard } from './auth/api-key.guard';
import { API_KEYS, Authenticator, RATE_LIMITS } from './auth/authenticator';
import { apiKeysFromConfig } from './auth/api-keys';
import { RateLimiter } from './auth/rate-limiter';
import { CorrectBoardSubmissionController } from './board-submissions/correct-board-submission/correct-board-submission.controller';
import { RetryBoardSubmissionController } from './board-submissions/retry-board-submission/retry-board-submission.controller';
import type { LedgerConfig } from '@ledger/runtime';
import { ErasureModule } from './admin/erasure/erasure.module';
import { AuditModule } from './audit/audit.module';
import { CoreModule } from './core.module';
import { FeedModule } from './feed/feed.module';
import { HealthController } from './health/health.controller';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { IdempotencyInterceptor, IdempotencySweeper } from './http/idempotency.interceptor';
import { ledgerValidationPipe } from './http/validation';
import { ClaimCreditsController } from './learners/claim-credits/claim-credits.controller';
import { CertificateController } from './learners/certificate/certificate.controller';
import { ClaimCertificateHandler } from './learners/certificate/certificate.query';
import { ImportHistoryController } from './learners/import-history/import-history.controller';
import { RecordAnswerController } from './learners/record-answer/record-answer.controller';
import { RecordResearchController } from './learners/record-research/record-research.controller';
import { UpdateProfileController } from './learners/update-profile/update-profile.controller';
import { RecordConsentController } from './learners/record-consent/record-consent.controller';
import { LearnerProfileController } from './learners/profile/learner-profile.controller';
import { LearnerProfileHandler } from './learners/profile/learner-profile.query';
import { createMetrics, METRICS } from './operations/metrics';
import { LogTree, StreamVerifier } from '@ledger/audit';
import { MetricsController } from './operations/metrics.controller';
import { BackgroundHost } from './operations/background-host';
import { RebuildProjectionHandler } from './operations/projections.commands';
import { ProjectionsController } from './operations/projections.controller';
import { ProjectionStatesHandler } from './operations/projections.queries';
import { LearnerQueriesController } from './queries/learner-queries.controller';
import { ReadFreshnessInterceptor } from './queries/read-freshness.interceptor';
import { ReportsController } from './queries/reports.controller';
import { READ_MODEL_QUERY_HANDLERS } from './queries/read-model.queries';
import { READ_MODELS } from './tokens';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import type { DataSource } from 'typeorm';

export interface AppRuntime {
  config: LedgerConfig;
  /** The PostgreSQL database (resolved: DATABASE_URL or the embedded server). */
  databaseUrl: string;
  databaseKind: 'embedded' | 'external';
  /** The clock commands are decided with; the system clock unless a test fixes it. */
  clock?: Clock;
  /** The event store to use instead of the configured one (tests over a stand-in client). */
  eventStore?: () => Promise<EventStore>;
}

@Module({})
export class AppModule {
  static forRoot(runtime: AppRuntime): DynamicModule {
    const { config } = runtime;
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(runtime),
        AuditModule,
        ErasureModule,
        FeedModule.forRoot(config.feed),
        CqrsModule.forRoot(),
        LoggerModule.forRoot({
          pinoHttp: {
            level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === 'test' ? 'silent' : 'info'),
            redact: {
              paths: [
                'req.headers.authorization',
                'req.headers.cookie',
                'req.headers["x-api-key"]',
                'req.headers["proxy-authorization"]',
              ],
              censor: '[redacted]',
            },
            autoLogging: { ignore: (req) => req.url === '/health' || req.url === '/metrics' },
            // 503 is an answer given on purpose (a read model behind: retry): a warning without
            // the stack pino-http makes up for any 5xx; other 5xx are errors.
            customLogLevel: (_req, res, err) =>
              res.statusCode === 503 ? 'warn' : err || res.statusCode >= 500 ? 'error' : 'info',
            customErrorObject: (_req, res, _error, value: Record<string, unknown>) =>
              res.statusCode === 503 ? { ...value, err: undefined } : value,
            // An erasure's URL is logged without its query: whatever was sent there by mistake
            // (a reason with a name in it) stays out of the logs.
            serializers: {
              req: (req: { method?: string; url?: string; query?: unknown }) =>
                req.method === 'DELETE'
                  ? { ...req, url: String(req.url).split('?')[0], query: undefined }
                  : req,
            },
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
        LearnerProfileController,
        RecordConsentController,
        RecordResearchController,
        RecordAnswerController,
        ClaimCreditsController,
        ImportHistoryController,
        RetryBoardSubmissionController,
        CorrectBoardSubmissionController,
        LearnerQueriesController,
        CertificateController,
        ReportsController,
        ProjectionsController,
        MetricsController,
      ],
      providers: [
        { provide: API_KEYS, useValue: apiKeysFromConfig(config) },
        {
          provide: RATE_LIMITS,
          useFactory: () => ({
            perKey: new RateLimiter(config.rateLimitPerMinute, 60_000),
            authFailures: new RateLimiter(config.authFailuresPerMinute, 60_000),
            publicRoutes: new RateLimiter(config.publicRateLimitPerMinute, 60_000),
          }),
        },
        Authenticator,
        {
          provide: METRICS,
          inject: [
            READ_MODELS,
            EVENT_STORE,
            StreamCommandExecutor,
            PersonalDataCipher,
            StreamVerifier,
            LogTree,
          ],
          useFactory: (
            readModels: DataSource,
            store: EventStore,
            executor: StreamCommandExecutor,
            cipher: PersonalDataCipher,
            verifier: StreamVerifier,
            tree: LogTree,
          ) =>
            createMetrics(
              readModels,
              store,
              () => [
                { cache: 'folded-streams', ...executor.figures() },
                { cache: 'learner-keys', ...cipher.figures() },
                { cache: 'verified-streams', ...verifier.figures() },
              ],
              { verifier, tree },
            ),
        },
        BackgroundHost,
        IdempotencySweeper,
        ...LEDGER_COMMAND_HANDLERS,
        ...READ_MODEL_QUERY_HANDLERS,
        LearnerProfileHandler,
        ClaimCertificateHandler,
        ProjectionStatesHandler,
        RebuildProjectionHandler,
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: ledgerValidationPipe },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        { provide: APP_INTERCEPTOR, useClass: ReadFreshnessInterceptor },
      ],
    };
  }
}
