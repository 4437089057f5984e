import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { LearnerCreditsAsOfController } from './as-of/learner-credits-as-of.controller';
import { AuditTrailMiddleware } from './audit-trail.middleware';
import { AUDIT_QUERY_HANDLERS } from './audit.queries';
import { ExportController } from './export/export.controller';
import { AuditHistoryController } from './history/audit-history.controller';
import { IntegrityController } from './integrity/integrity.controller';
import { CheckpointHost } from './transparency/checkpoint-host';
import { TransparencyController } from './transparency/transparency.controller';
import { TRANSPARENCY_QUERY_HANDLERS } from './transparency/transparency.queries';

const CONTROLLERS = [
  AuditHistoryController,
  LearnerCreditsAsOfController,
  IntegrityController,
  ExportController,
  TransparencyController,
];

/**
 * The audit endpoints (`/v1/audit/*`, auditor and admin): raw history, as-of replay, integrity,
 * export, signed checkpoints and Merkle proofs, each a query on the QueryBus with its handler
 * here, and the host that signs the checkpoints. Uses the global core providers (event store,
 * clock, decision settings, the log's tree and verifier). Every audit request, and every
 * request under `/v1/admin/`, is logged with the caller's identity.
 */
@Module({
  controllers: CONTROLLERS,
  providers: [
    AuditTrailMiddleware,
    CheckpointHost,
    ...AUDIT_QUERY_HANDLERS,
    ...TRANSPARENCY_QUERY_HANDLERS,
  ],
})
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AuditTrailMiddleware)
      .forRoutes(...CONTROLLERS, { path: 'v1/admin/*path', method: RequestMethod.ALL });
  }
}
