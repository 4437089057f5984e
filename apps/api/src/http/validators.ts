import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
} from 'class-validator';
import {
  describePersonNameProblem,
  INSTANT_FORMAT,
  isInstant,
  isIsoCountryCode,
  normalizeCountryCode,
  parseInstant,
  PERSON_NAME_CHARACTERS,
  PERSON_NAME_MAX_CHARACTERS,
  personNameProblem,
} from '@ledger/domain';

/** `limit` of a paged read from the query string: optional, 1 to `maximum`, 100 by default. */
export const IsPageLimit = (maximum: number): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({ minimum: 1, maximum, default: 100 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(maximum),
  );

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

/**
 * A person's name: the domain's one name rule (R7/R11: grapheme-aware, visible letters
 * required, only what the certificate prints), so HTTP and the decider never disagree.
 */
export const IsPersonName = (example: string, label: string): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      example,
      minLength: 1,
      description: `At most ${PERSON_NAME_MAX_CHARACTERS} characters: ${PERSON_NAME_CHARACTERS}`,
    }),
    IsString(),
    ValidateBy({
      name: 'isPersonName',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && personNameProblem(value) === undefined,
        defaultMessage: (args) => {
          const value: unknown = args?.value;
          const problem = typeof value === 'string' ? personNameProblem(value) : undefined;
          return problem ? describePersonNameProblem(problem, label) : `${label} must be a string`;
        },
      },
    }),
  );

/** R7: an assigned ISO 3166-1 alpha-2 country code (the domain's one list). */
export const IsCountryCode = (): PropertyDecorator =>
  applyDecorators(
    ApiProperty({ description: 'ISO 3166-1 alpha-2', example: 'US' }),
    IsString(),
    ValidateBy({
      name: 'isCountryCode',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && isIsoCountryCode(normalizeCountryCode(value)),
        defaultMessage: () =>
          '$property must be an assigned ISO 3166-1 alpha-2 country code, e.g. US',
      },
    }),
  );
