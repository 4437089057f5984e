import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { CALENDAR_DATE, CLAIM_TAGS } from '@ledger/domain';
import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  ValidateBy,
  ValidateIf,
} from 'class-validator';
import { IsInstant, IsPageLimit } from '../http/validators';

/** `minPosition`: the position a command answered; the read waits (a little) until the read models hold it. */
export class FreshnessQueryDto {
  @ApiPropertyOptional({
    description:
      'Wait until the read models hold this position (from a command answer); 503 if they do not within a few seconds',
    example: '1042',
  })
  @IsOptional()
  @Matches(/^\d{1,19}$/, { message: '$property must be a position (digits)' })
  minPosition?: string;
}

export class PageQueryDto extends FreshnessQueryDto {
  @IsPageLimit(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'The nextCursor of the previous page' })
  @IsOptional()
  @IsString()
  @Length(1, 512)
  cursor?: string;
}

/** R5: the bound, named so it reads right: `before` (exclusive) or `through` (inclusive), one of them. */
export class ExpiringQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Claim deadlines strictly before this date (YYYY-MM-DD): a deadline on this day is not in. Give this or `through`',
    example: '2027-01-01',
  })
  @ValidateIf((q: ExpiringQueryDto) => q.through === undefined || q.before !== undefined)
  @Matches(CALENDAR_DATE, { message: '$property must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: '$property must be a calendar date that exists' })
  before?: string;

  @ApiPropertyOptional({
    description:
      'Claim deadlines up to and including this date (YYYY-MM-DD): a deadline on this very day is in. Give this or `before`',
    example: '2026-12-31',
  })
  @ValidateIf((q: ExpiringQueryDto) => q.through !== undefined)
  @Matches(CALENDAR_DATE, { message: '$property must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: '$property must be a calendar date that exists' })
  @ValidateBy({
    name: 'oneBound',
    validator: {
      validate: (_value: unknown, args) =>
        (args?.object as ExpiringQueryDto | undefined)?.before === undefined,
      defaultMessage: () => 'give either before or through, not both',
    },
  })
  through?: string;
}

export class SubmissionsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CLAIM_TAGS })
  @IsOptional()
  @IsIn(CLAIM_TAGS as readonly string[], {
    message: `$property must be one of ${CLAIM_TAGS.join(', ')}`,
  })
  tag?: string;

  @ApiPropertyOptional({ example: 'ABIM' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9-]{1,32}$/, { message: '$property must be a board code' })
  board?: string;

  @ApiPropertyOptional({ description: 'Claims made at or after this instant' })
  @IsOptional()
  @IsInstant('2026-01-01T00:00:00Z')
  from?: string;

  @ApiPropertyOptional({ description: 'Claims made before this instant' })
  @IsOptional()
  @IsInstant('2027-01-01T00:00:00Z')
  to?: string;
}

export const positionOf = (q: FreshnessQueryDto): bigint | undefined =>
  q.minPosition === undefined ? undefined : BigInt(q.minPosition);

/** R8, the batch path: completion dates from `from` to `to`, both included (PARS's time zone). */
export class ParsLearnerFileQueryDto {
  // One decorated field per query parameter (its OpenAPI description and its checks), as every
  // DTO declares them: `from` and `to` are alike but for their words by design.
  @ApiProperty({
    description: 'First completion date (YYYY-MM-DD), included',
    example: '2026-01-01',
  })
  @Matches(CALENDAR_DATE, { message: '$property must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: '$property must be a calendar date that exists' })
  from!: string;

  @ApiProperty({
    description: 'Last completion date (YYYY-MM-DD), included',
    example: '2026-12-31',
  })
  @Matches(CALENDAR_DATE, { message: '$property must be a date YYYY-MM-DD' })
  @IsISO8601({ strict: true }, { message: '$property must be a calendar date that exists' })
  to!: string;
}
