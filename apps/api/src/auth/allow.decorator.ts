import { SetMetadata } from '@nestjs/common';
import type { Role } from './api-keys';

export const ALLOWED_ROLES = 'ledger:allowed-roles';
export const PUBLIC_ROUTE = 'ledger:public';

/** The roles that may call this route. */
export const Allow = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ALLOWED_ROLES, roles);

/** No API key needed (health); a key sent is still checked. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_ROUTE, true);

/** Every read: learner reads and reports. */
export const READERS: Role[] = ['service', 'compliance', 'auditor', 'admin'];
