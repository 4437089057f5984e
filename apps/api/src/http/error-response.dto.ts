import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ErrorBody, FieldError } from './api-error';

export class FieldErrorResponse implements FieldError {
  @ApiProperty({
    description: 'The offending field: a body path, query parameter or header',
    example: 'occurredAt',
  })
  field!: string;

  @ApiProperty({ example: 'must be an ISO 8601 instant with a time zone' })
  message!: string;
}

/** The one error shape of every 4xx and 5xx answer (see ErrorBody). */
export class ErrorResponse implements ErrorBody {
  @ApiProperty({ description: 'The HTTP status, repeated', example: 422 })
  statusCode!: number;

  @ApiProperty({
    description: 'Machine-readable, kebab-case: `validation-failed`, `claim-window-closed`, …',
    example: 'claim-window-closed',
  })
  code!: string;

  @ApiProperty({ example: 'the claim deadline of this credit has passed' })
  message!: string;

  @ApiPropertyOptional({
    description: 'The domain rule a refusal enforces (R1–R17)',
    example: 'R5',
  })
  rule?: string;

  @ApiPropertyOptional({
    description: 'Each offending field, for validation failures',
    type: [FieldErrorResponse],
  })
  errors?: FieldErrorResponse[];

  @ApiPropertyOptional({
    description: 'The X-Correlation-Id of the request (given, or made up), recorded in its events',
    example: '0b7c8f7e-2a0d-4d6e-9a51-6f3c1a2b9e10',
  })
  correlationId?: string;

  @ApiPropertyOptional({
    description:
      'For 503 read-model-behind: the position the read models are at (64-bit, as a string)',
    example: '1041',
  })
  position?: string;

  @ApiPropertyOptional({
    description: 'For 503 read-model-behind: why the read models are not further',
    example: 'projection claims stopped on event 8f1e… (decode failed)',
  })
  reason?: string;
}
