import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const ACCEPTABLE = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** X-Correlation-Id from the caller when it is sane, otherwise a new one; echoed in the response. */
export function correlationId(request: Request, response: Response, next: NextFunction): void {
  const given = request.headers['x-correlation-id'];
  const id = typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
  request.ledger = { correlationId: id };
  response.setHeader('X-Correlation-Id', id);
  next();
}
