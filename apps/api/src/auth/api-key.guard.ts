import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiError } from '../http/api-error';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './allow.decorator';
import { findApiKey, type ApiKey, type Role } from './api-keys';
import type { RateLimiter, RateLimitState } from './rate-limiter';

export const API_KEYS = Symbol('API_KEYS');
export const RATE_LIMITS = Symbol('RATE_LIMITS');

/** The request budgets, each a window of one minute. */
export interface RateLimits {
  /** Per API key, across every endpoint (LEDGER_RATE_LIMIT_PER_MINUTE). */
  perKey: RateLimiter;
  /** Failed authentications per address (LEDGER_AUTH_FAILURE_LIMIT). */
  authFailures: RateLimiter;
  /** Requests to the routes that need no key, per address (LEDGER_PUBLIC_RATE_LIMIT). */
  publicRoutes: RateLimiter;
}

/**
 * `Authorization: Bearer <key>` → the caller's role; 401 without a known key, 403 for a role not
 * allowed. And the budgets, answered 429 with `Retry-After` once spent:
 * - an address whose failed authentications reached their limit is refused before its key is
 *   even looked at, whatever key it sends, until the window ends (key guessing stops there);
 * - a key has one budget across all endpoints;
 * - the routes that need no key (health) have a budget per address of their own.
 * Every counted answer carries the bucket's RateLimit-Limit, -Remaining, -Reset and -Policy.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly keys: ApiKey[],
    @Inject(RATE_LIMITS) private readonly limits: RateLimits,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const address = request.ip ?? request.socket.remoteAddress ?? 'unknown';
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      const state = this.limits.publicRoutes.hit(address);
      this.spend(response, this.limits.publicRoutes, state, 'too many requests from this address');
      return true;
    }
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
    request.ledger.caller = { role: key.role, keyId: key.keyId, actor: `${key.role}:${key.keyId}` };
    const state = this.limits.perKey.hit(key.keyId);
    this.spend(
      response,
      this.limits.perKey,
      state,
      'too many requests for this API key (one budget across all endpoints)',
    );
    const allowed = this.reflector.getAllAndOverride<Role[]>(ALLOWED_ROLES, targets) ?? [];
    if (!allowed.includes(key.role)) {
      throw new ApiError(403, 'forbidden', `the ${key.role} role may not call this endpoint`);
    }
    return true;
  }

  /** The RateLimit headers of the bucket; 429 when it is spent. */
  private spend(
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
}

const tooMany = (state: RateLimitState, code: string, message: string): ApiError =>
  new ApiError(429, code, `${message}; retry after ${state.resetSeconds} s`, {
    headers: { 'retry-after': String(state.resetSeconds) },
  });
