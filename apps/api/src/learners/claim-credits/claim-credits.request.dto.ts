import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, ValidateBy } from 'class-validator';
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

  /**
   * Refused with its reason: claim ids are assigned by the ledger (unique across it), and a
   * caller's own id, reused for another learner, once took reads down for everyone.
   */
  @ApiPropertyOptional({
    description:
      'Not accepted: the ledger assigns claim ids (unique across the ledger). To retry a claim safely, send an Idempotency-Key',
    deprecated: true,
  })
  @IsOptional()
  @ValidateBy({
    name: 'claimIdAssignedByLedger',
    validator: {
      validate: () => false,
      defaultMessage: () =>
        'claimId is assigned by the ledger (unique across it); leave it out, and send an Idempotency-Key to retry a claim safely',
    },
  })
  claimId?: unknown;
}
