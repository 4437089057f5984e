import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiOperation,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { Allow } from '../auth/allow.decorator';
import type { Role } from '../auth/api-keys';

/** A command endpoint: roles, idempotency and correlation headers, and the error answers, documented. */
export const CommandEndpoint = (summary: string, roles: Role[] = ['service']): MethodDecorator =>
  applyDecorators(
    Allow(...roles),
    ApiBearerAuth(),
    ApiOperation({ summary }),
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'A retry with the same key returns the first answer and records nothing new; the same key with another body → 422',
    }),
    ApiHeader({
      name: 'X-Correlation-Id',
      required: false,
      description: 'Echoed in the response and recorded in the events',
    }),
    ApiBadRequestResponse({ description: 'Invalid input: `errors` names each offending field' }),
    ApiUnauthorizedResponse({ description: 'No API key, or an unknown one' }),
    ApiForbiddenResponse({ description: "The key's role may not call this endpoint" }),
    ApiConflictResponse({ description: 'A conflict (concurrent change, request in progress)' }),
    ApiUnprocessableEntityResponse({
      description: 'A domain rule refused the command: `code` and `rule` say which',
    }),
  );
