import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule, type AppRuntime } from './app.module';
import { Authenticator } from './auth/authenticator';
import { serveConsole } from './console/console';
import { buildOpenApiDocument } from './contract/openapi';
import { correlationId } from './http/correlation-id.middleware';
import {
  bodyParserErrors,
  jsonBodyGuard,
  jsonContentType,
  queryGuard,
} from './http/json-body.middleware';
import { httpMetricsMiddleware, METRICS, type LedgerMetrics } from './operations/metrics';
import { viaOperationsPort } from './operations/operations-port';

/** The API application, configured exactly as it runs: used by main.ts and the e2e tests. */
export async function createApp(runtime: AppRuntime): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(runtime), {
    bufferLogs: true,
    bodyParser: false,
    // The JSON text stays on the request beside the parsed body: jsonBodyGuard looks in it for
    // keys given twice, which JSON.parse would keep silently.
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  app.use(correlationId);
  app.use(httpMetricsMiddleware(app.get<LedgerMetrics>(METRICS)));
  app.use(helmet());
  app.disable('x-powered-by');
  app.use(docsAccess(app.get(Authenticator)));
  serveConsole(app, app.get(Authenticator));
  app.use(queryGuard);
  app.use(jsonContentType);
  app.useBodyParser('json', { limit: '64kb' });
  app.use(bodyParserErrors);
  app.use(jsonBodyGuard);
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

/**
 * The OpenAPI docs (UI and document) are served by Swagger's own routes, which Nest's guards do
 * not see: on the API's port they need an API key (any role) here; on the operations port none.
 */
function docsAccess(authenticator: Authenticator) {
  return (request: Request, response: Response, next: NextFunction): void => {
    if (!/^\/docs(\/|$)/.test(request.path) || viaOperationsPort(request)) return next();
    try {
      authenticator.authenticate(request, response);
      next();
    } catch (error) {
      next(error);
    }
  };
}
