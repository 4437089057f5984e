import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, IsString, Length, Matches } from 'class-validator';

/** An instant with an explicit offset: `2026-03-14T09:30:00Z` or `…+01:00`. */
export const IsInstant = (example = '2026-03-14T09:30:00Z'): PropertyDecorator =>
  applyDecorators(
    ApiProperty({
      description: 'ISO 8601 date-time with a time zone (business time, R15)',
      example,
    }),
    IsString(),
    IsISO8601(
      { strict: true, strictSeparator: true },
      { message: '$property must be an ISO 8601 date-time' },
    ),
    // A calendar date, a time and a zone: ISO 8601 also has week and ordinal dates
    // (`2026-W44-1T…`), which JavaScript cannot read (an Invalid Date, then a 500).
    Matches(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/, {
      message:
        '$property must be a date and time with a time zone: YYYY-MM-DDThh:mm[:ss] and Z or ±hh:mm',
    }),
  );

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
