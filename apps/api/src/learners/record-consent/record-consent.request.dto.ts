import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsInstant } from '../../http/validators';

export const CONSENT_DECISIONS = ['granted', 'withdrawn'] as const;

/** R7: the learner's consent to share completion data with the boards selected in the profile. */
export class RecordConsentRequestDto {
  @ApiProperty({
    enum: CONSENT_DECISIONS,
    example: 'granted',
    description:
      'granted: completion data may go to the boards selected in the profile (now and later); withdrawn: from now on, none does',
  })
  @IsIn(CONSENT_DECISIONS as readonly string[], {
    message: `$property must be one of ${CONSENT_DECISIONS.join(', ')}`,
  })
  consent!: (typeof CONSENT_DECISIONS)[number];

  @ApiPropertyOptional({
    description: 'When the learner decided; defaults to the server clock',
    example: '2026-03-14T09:30:00Z',
  })
  @IsOptional()
  @IsInstant()
  occurredAt?: string;
}
