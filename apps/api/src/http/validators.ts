import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { INSTANT_FORMAT, isInstant, parseInstant } from '@ledger/domain';
import { IsString, Length, Matches, ValidateBy } from 'class-validator';

/**
 * An instant with an explicit offset: `2026-03-14T09:30:00Z` or `…+01:00`, read by the domain's
 * one instant parser (the audit queries and the CLI read it the same way).
 */
export const IsInstant = (example = '2026-03-14T09:30:00Z'): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      description: `ISO 8601 date-time with a time zone, ${INSTANT_FORMAT} (business time, R15)`,
      example,
    }),
    IsString(),
    ValidateBy({
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => isInstant(value),
        defaultMessage: () =>
          `$property must be a date and time that exists, with a time zone: ${INSTANT_FORMAT}`,
      },
    }),
  );

/** The instant of a field IsInstant validated. */
export function instantOf(text: string): Date {
  const at = parseInstant(text);
  if (!at) throw new Error(`not an instant: ${JSON.stringify(text)} (validated before?)`);
  return at;
}

/** An opaque identifier from another system: letters, digits and . _ : - only. */
export const IsExternalId = (example: string, max = 128): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      example,
      minLength: 1,
      maxLength: max,
      pattern: '^[A-Za-z0-9][A-Za-z0-9._:-]*$',
    }),
    IsString(),
    Length(1, max),
    Matches(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, {
      message:
        '$property may hold only letters, digits and . _ : - (starting with a letter or digit)',
    }),
  );

/** Free text of a person: printable, no control characters. */
export const IsPersonText = (example: string, max = 100): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ example, minLength: 1, maxLength: max }),
    IsString(),
    Length(1, max),
    Matches(/^[^\p{Cc}\p{Cs}\p{Co}\p{Cn}]+$/u, {
      message: '$property must not contain control characters',
    }),
    Matches(/\S/, { message: '$property must not be blank' }),
  );
