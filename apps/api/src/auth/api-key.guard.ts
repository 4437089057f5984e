import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ApiError } from '../http/api-error';
import { viaOperationsPort } from '../operations/operations-port';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from './allow.decorator';
import type { Role } from './api-keys';
import { Authenticator } from './authenticator';

/**
 * Every route needs an API key whose role it allows (401 without a known key, 403 for a role
 * not allowed), except the public ones (health), which take a key when one is sent. Requests
 * that came in through the operations port (internal: health, metrics, docs only) need none.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(Authenticator) private readonly authenticator: Authenticator,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    if (viaOperationsPort(request)) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      if (request.headers.authorization === undefined) {
        this.authenticator.countAnonymous(request, response);
      } else {
        this.authenticator.authenticate(request, response);
      }
      return true;
    }
    const caller = this.authenticator.authenticate(request, response);
    const allowed = this.reflector.getAllAndOverride<Role[]>(ALLOWED_ROLES, targets) ?? [];
    if (!allowed.includes(caller.role)) {
      throw new ApiError(403, 'forbidden', `the ${caller.role} role may not call this endpoint`);
    }
    return true;
  }
}
