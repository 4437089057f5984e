import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { logRangeProblem } from '@ledger/audit';
import { IsOptional, IsString, Matches, ValidateBy } from 'class-validator';
import { IsPageLimit } from '../http/validators';
import { ApiError } from '../http/api-error';

const POSITION = /^(0|[1-9][0-9]{0,18})$/;
const MAX_INT64 = 0x7fff_ffff_ffff_ffffn;

const IsPosition = (): PropertyDecorator =>
  applyDecorators(
    IsOptional(),
    Matches(POSITION, { message: '$property must be a position or revision (digits)' }),
  );

/** A 64-bit position or revision from the query (validated as digits by the DTO). */
export function int64(field: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const n = BigInt(value);
  if (n > MAX_INT64) {
    throw new ApiError(400, 'validation-failed', `${field}: must fit in 64 bits`, {
      errors: [{ field, message: 'must fit in 64 bits' }],
    });
  }
  return n;
}

export class LogPageQueryDto {
  @ApiPropertyOptional({
    description: 'Events with a position greater than this (the nextAfter of the previous page)',
    example: '0',
  })
  @IsPosition()
  after?: string;

  @IsPageLimit(1000)
  limit?: number;
}

export class StreamPageQueryDto {
  @ApiPropertyOptional({
    description: 'The first revision to return (the nextFromRevision of the previous page)',
    example: '0',
  })
  @IsPosition()
  fromRevision?: string;

  @IsPageLimit(1000)
  limit?: number;
}

export class LogRangeQueryDto {
  @ApiPropertyOptional({ description: 'Exclusive start position (default: the start of the log)' })
  @IsPosition()
  after?: string;

  @ApiPropertyOptional({
    description: 'Inclusive end position (default: the end of the log); not less than `after`',
  })
  @IsPosition()
  @ValidateBy({
    name: 'logRange',
    validator: {
      validate: (upTo: unknown, args) => {
        const after = (args?.object as LogRangeQueryDto | undefined)?.after;
        if (typeof upTo !== 'string' || typeof after !== 'string') return true;
        if (!POSITION.test(upTo) || !POSITION.test(after)) return true; // refused as digits
        return logRangeProblem({ after: BigInt(after), upTo: BigInt(upTo) }) === undefined;
      },
      defaultMessage: () => '$property must not be less than after',
    },
  })
  upTo?: string;
}

export class IntegrityQueryDto extends LogRangeQueryDto {
  @ApiPropertyOptional({
    description:
      'The digest stored earlier for the same range: the answer says whether it still matches',
    example: '9f2c…',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[0-9a-fA-F]{64}$/, { message: '$property must be 64 hex digits (a sha-256)' })
  expectedDigest?: string;
}

export class AsOfQueryDto {
  @ApiPropertyOptional({
    description:
      'An instant with its time zone (what the ledger had recorded by then) or a global position (digits); default: now',
    example: '2026-03-14T09:30:00Z',
  })
  @IsOptional()
  @IsString()
  asOf?: string;
}
