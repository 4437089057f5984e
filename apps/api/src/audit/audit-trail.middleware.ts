import { Injectable, Logger, type NestMiddleware } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';

/**
 * Logs every audit and admin request once it is answered, with the caller's identity
 * (structured, through the application's pino logger): who (actor, role, key fingerprint),
 * what (method, path, query), the correlation id, the status and the time taken. Refusals
 * (401, 403) are logged too: the API-key guard has named the caller by then, when it could.
 * Never the API key, never a body: bodies and answers may hold personal data.
 */
@Injectable()
export class AuditTrailMiddleware implements NestMiddleware {
  private readonly logger = new Logger('AuditTrail');

  use(request: Request, response: Response, next: NextFunction): void {
    const started = process.hrtime.bigint();
    let logged = false;
    const log = (aborted: boolean): void => {
      if (logged) return;
      logged = true;
      const caller = request.ledger?.caller;
      const entry = {
        msg: aborted ? 'audit request aborted' : 'audit request',
        actor: caller?.actor ?? 'anonymous',
        role: caller?.role ?? null,
        keyId: caller?.keyId ?? null,
        method: request.method,
        path: request.originalUrl.split('?')[0],
        // The query of reads says what was asked; an erasure takes none, and what came anyway
        // (a reason with a name in it) is not written down.
        query: request.method === 'GET' ? request.query : undefined,
        correlationId: request.ledger?.correlationId,
        status: response.statusCode,
        durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
      };
      if (response.statusCode >= 400 || aborted) this.logger.warn(entry);
      else this.logger.log(entry);
    };
    response.once('finish', () => log(false));
    response.once('close', () => log(!response.writableFinished));
    next();
  }
}
