import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOperation,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Allow } from '../auth/allow.decorator';
import type { Role } from '../auth/api-keys';

/** Who may call the audit endpoints: auditors, and administrators (who may read everything). */
export const AUDIT_ROLES: Role[] = ['auditor', 'admin'];

/** An audit endpoint: its roles and its error answers, documented. */
export const AuditEndpoint = (summary: string, roles: Role[] = AUDIT_ROLES): MethodDecorator =>
  applyDecorators(
    Allow(...roles),
    ApiBearerAuth(),
    ApiOperation({ summary }),
    ApiBadRequestResponse({ description: 'Invalid query: `errors` names each offending field' }),
    ApiUnauthorizedResponse({ description: 'No API key, or an unknown one' }),
    ApiForbiddenResponse({ description: "The key's role may not call this endpoint" }),
  );
