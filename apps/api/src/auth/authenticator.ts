import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiError } from '../http/api-error';
import { findApiKey, type ApiKey } from './api-keys';
import type { Caller } from './caller';
import type { RateLimiter, RateLimitState } from './rate-limiter';

export const API_KEYS = Symbol('API_KEYS');
export const RATE_LIMITS = Symbol('RATE_LIMITS');

/** The request budgets, each a window of one minute. */
export interface RateLimits {
  /** Per API key, across every endpoint (LEDGER_RATE_LIMIT_PER_MINUTE). */
  perKey: RateLimiter;
  /** Failed authentications per address (LEDGER_AUTH_FAILURE_LIMIT). */
  authFailures: RateLimiter;
  /** Requests without a key to the routes that need none, per address (LEDGER_PUBLIC_RATE_LIMIT). */
  publicRoutes: RateLimiter;
}

/**
 * Who is calling, and the budgets, answered 429 with `Retry-After` once spent:
 * - an address whose failed authentications reached their limit is refused before its key is
 *   even looked at, whatever key it sends, until the window ends (key guessing stops there);
 * - a key has one budget across all endpoints;
 * - requests without a key to the routes that need none (health) have a budget per address.
 * Every counted answer carries the bucket's RateLimit-Limit, -Remaining, -Reset and -Policy.
 */
@Injectable()
export class Authenticator {
  constructor(
    @Inject(API_KEYS) private readonly keys: ApiKey[],
    @Inject(RATE_LIMITS) private readonly limits: RateLimits,
  ) {}

  /** `Authorization: Bearer <key>` → the caller (also set on the request); 401 without a known key. */
  authenticate(request: Request, response: Response): Caller {
    const address = addressOf(request);
    const failures = this.limits.authFailures.peek(address);
    if (!failures.allowed) {
      throw tooMany(
        failures,
        'authentication-throttled',
        'too many failed authentications from this address',
      );
    }
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    const key = match?.[1] ? findApiKey(this.keys, match[1]) : undefined;
    if (!key) {
      this.limits.authFailures.hit(address);
      throw new ApiError(
        401,
        'unauthenticated',
        match?.[1] ? 'the API key is not known' : 'send an API key as Authorization: Bearer <key>',
      );
    }
    const caller = { role: key.role, keyId: key.keyId, actor: `${key.role}:${key.keyId}` };
    request.ledger.caller = caller;
    spend(
      response,
      this.limits.perKey,
      this.limits.perKey.hit(key.keyId),
      'too many requests for this API key (one budget across all endpoints)',
    );
    return caller;
  }

  /** A request without a key to a route that needs none: the address's budget. */
  countAnonymous(request: Request, response: Response): void {
    const limiter = this.limits.publicRoutes;
    spend(
      response,
      limiter,
      limiter.hit(addressOf(request)),
      'too many requests from this address',
    );
  }
}

const addressOf = (request: Request): string =>
  request.ip ?? request.socket.remoteAddress ?? 'unknown';

/** The RateLimit headers of the bucket; 429 when it is spent. */
function spend(
  response: Response,
  limiter: RateLimiter,
  state: RateLimitState,
  message: string,
): void {
  response.setHeader('RateLimit-Limit', String(state.limit));
  response.setHeader('RateLimit-Remaining', String(state.remaining));
  response.setHeader('RateLimit-Reset', String(state.resetSeconds));
  response.setHeader('RateLimit-Policy', `${limiter.limit};w=${limiter.windowMs / 1000}`);
  if (!state.allowed) throw tooMany(state, 'rate-limited', message);
}

const tooMany = (state: RateLimitState, code: string, message: string): ApiError =>
  new ApiError(429, code, `${message}; retry after ${state.resetSeconds} s`, {
    headers: { 'retry-after': String(state.resetSeconds) },
  });
