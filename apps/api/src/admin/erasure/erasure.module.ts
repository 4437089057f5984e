import { Module, type MiddlewareConsumer, type NestModule } from '@nestjs/common';
import { AuditTrailMiddleware } from '../../audit/audit-trail.middleware';
import { ErasePersonalDataController } from './erase-personal-data.controller';

/**
 * `DELETE /v1/learners/:learnerId/personal-data` (admin): crypto-shredding of a learner. Uses the
 * global core providers and the CQRS command bus; every request is logged with the caller.
 */
@Module({ controllers: [ErasePersonalDataController], providers: [AuditTrailMiddleware] })
export class ErasureModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditTrailMiddleware).forRoutes(ErasePersonalDataController);
  }
}
