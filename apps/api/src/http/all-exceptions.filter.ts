import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { toErrorResponse } from './error-mapping';

/** Every error leaves in the one shape, with the request's correlation id. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request>();
    const response = http.getResponse<Response>();
    const { body, headers } = toErrorResponse(error);
    if (body.statusCode >= 500 && body.code !== 'internal-error') {
      // An answer the API gives on purpose (read model behind): the caller retries; no stack.
      this.logger.warn({
        msg: 'request answered unavailable',
        status: body.statusCode,
        code: body.code,
        method: request.method,
        path: request.path,
        correlationId: request.ledger?.correlationId,
      });
    } else if (body.statusCode >= 500) {
      this.logger.error({
        msg: 'request failed',
        method: request.method,
        path: request.path,
        correlationId: request.ledger?.correlationId,
        err:
          error instanceof Error
            ? { name: error.name, message: error.message, stack: error.stack }
            : String(error),
      });
    }
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response
      .status(body.statusCode)
      .json({ ...body, correlationId: request.ledger?.correlationId });
  }
}
