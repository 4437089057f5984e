import { ApiProperty } from '@nestjs/swagger';
import { OPERATOR_REFERENCE } from '@ledger/domain';
import { IsIn, IsString, Matches } from 'class-validator';

/** The reasons compliance may give; `combined-completion` is the process's own. */
export const COMPLIANCE_CORRECTION_REASONS = [
  'learner-identity-corrected',
  'record-details-wrong',
] as const;
export type ComplianceCorrectionReason = (typeof COMPLIANCE_CORRECTION_REASONS)[number];

/**
 * R8: compliance asks for a board record to be corrected. PARS records cannot be edited: the
 * record is deleted and sent again with the learner's profile as it is now, as a new attempt in
 * the submission's history. Both fields go into an immutable event: a reason code and a ticket
 * reference, never free text.
 */
export class CorrectBoardSubmissionRequestDto {
  @ApiProperty({
    enum: COMPLIANCE_CORRECTION_REASONS,
    description:
      '`learner-identity-corrected`: the learner corrected the identity in the CME profile after the board accepted or rejected the record; `record-details-wrong`: the record is wrong otherwise',
    example: 'learner-identity-corrected',
  })
  @IsIn(COMPLIANCE_CORRECTION_REASONS, {
    message: `$property must be one of ${COMPLIANCE_CORRECTION_REASONS.join(', ')}`,
  })
  reason!: ComplianceCorrectionReason;

  @ApiProperty({
    description:
      "The compliance request's ticket reference, recorded for ever in the event: capital letters, a hyphen, digits. Never a name or free text.",
    example: 'CMP-2041',
    pattern: OPERATOR_REFERENCE.source,
  })
  @IsString({ message: '$property must be a ticket reference such as CMP-2041' })
  @Matches(OPERATOR_REFERENCE, {
    message: '$property must be a ticket reference such as CMP-2041 (never a name or free text)',
  })
  reference!: string;
}
