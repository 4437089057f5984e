import { Module, RequestMethod, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { LearnerCreditsAsOfController } from './as-of/learner-credits-as-of.controller';
import { AuditTrailMiddleware } from './audit-trail.middleware';
import { AUDIT_QUERY_HANDLERS } from './audit.queries';
import { ExportController } from './export/export.controller';
import { AuditHistoryController } from './history/audit-history.controller';
import { IntegrityController } from './integrity/integrity.controller';

const CONTROLLERS = [
  AuditHistoryController,
  LearnerCreditsAsOfController,
  IntegrityController,
  ExportController,
];

/**
 * The audit endpoints (`/v1/audit/*`, auditor and admin): raw history, as-of replay, integrity
 * and export, each a query on the QueryBus with its handler here, over the event store. Every
 * audit request, and every request under `/v1/admin/`, is logged with the caller's identity.
 */
@Module({ controllers: CONTROLLERS, providers: [AuditTrailMiddleware, ...AUDIT_QUERY_HANDLERS] })
export class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(AuditTrailMiddleware)
      .forRoutes(...CONTROLLERS, { path: 'v1/admin/*path', method: RequestMethod.ALL });
  }
}
