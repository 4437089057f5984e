import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { ACTIVITIES, type Activity } from '@ledger/domain';
import { IsInstant } from '../../http/validators';

/** R5/R6: claim all unclaimed, unexpired credit of one activity. */
export class ClaimCreditsRequestDto {
  @ApiProperty({ enum: ACTIVITIES, example: 'ipoc' })
  @IsIn(ACTIVITIES as readonly string[], {
    message: `$property must be one of ${ACTIVITIES.join(', ')}`,
  })
  activity!: Activity;

  @IsInstant()
  occurredAt!: string;

  @ApiPropertyOptional({
    description:
      'The claim id to use (a UUID); by default derived from the Idempotency-Key, or new',
    example: '0f8e2d4c-1b3a-4c5d-8e9f-a0b1c2d3e4f5',
  })
  @IsOptional()
  @IsUUID('all')
  claimId?: string;
}
