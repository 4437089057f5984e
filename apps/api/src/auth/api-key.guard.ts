import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ApiError } from '../http/api-error';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './allow.decorator';
import { findApiKey, type ApiKey, type Role } from './api-keys';

export const API_KEYS = Symbol('API_KEYS');

/** `Authorization: Bearer <key>` → the caller's role; 401 without a known key, 403 for a role not allowed. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(API_KEYS) private readonly keys: ApiKey[],
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match?.[1]) {
      throw new ApiError(401, 'unauthenticated', 'send an API key as Authorization: Bearer <key>');
    }
    const key = findApiKey(this.keys, match[1]);
    if (!key) throw new ApiError(401, 'unauthenticated', 'the API key is not known');
    request.ledger.caller = { role: key.role, keyId: key.keyId, actor: `${key.role}:${key.keyId}` };
    const allowed = this.reflector.getAllAndOverride<Role[]>(ALLOWED_ROLES, targets) ?? [];
    if (!allowed.includes(key.role)) {
      throw new ApiError(403, 'forbidden', `the ${key.role} role may not call this endpoint`);
    }
    return true;
  }
}
