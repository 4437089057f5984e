import { CLAIM_TAGS } from '@ledger/domain';
import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { ActivitiesResponse, AmountResponse, ClaimPartResponse } from '../http/amount.response';
import {
  VERIFICATION_PROPERTY,
  type StreamFailedVerificationResponse,
  type StreamVerifiedResponse,
} from '../audit/transparency/verification-note.response';

const POSITION = {
  description: 'The global position the read models had applied (64-bit, as a string)',
  example: '1042',
};
const ACTIVITY = { enum: ['ipoc', 'nejm-board-review'], example: 'ipoc' };

export class MocPointsResponse {
  @ApiProperty({ type: AmountResponse }) total!: AmountResponse;
  @ApiProperty({
    description: 'MOC points by board',
    type: 'object',
    additionalProperties: { $ref: getSchemaPath(AmountResponse) },
    example: { ABIM: { credits: '1.50', twelfths: 18 } },
  })
  byBoard!: Record<string, AmountResponse>;
}

export class NonUsEquivalentsResponse {
  @ApiProperty({ type: AmountResponse }) rcpscSection2SelfLearning!: AmountResponse;
  @ApiProperty({ type: AmountResponse }) ecmec!: AmountResponse;
}

/** GET /v1/learners/:learnerId/credits (R12, R13). */
export class CreditsResponse {
  @ApiProperty({ example: 'ada-quinn' }) learnerId!: string;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({
    description: 'The instant the figures hold for',
    example: '2026-11-28T12:00:00.000Z',
  })
  asOf!: string;
  @ApiProperty({ type: ActivitiesResponse }) activities!: ActivitiesResponse;
  @ApiProperty({ type: MocPointsResponse, description: 'MOC points (R13)' })
  mocPoints!: MocPointsResponse;
  @ApiProperty({ type: NonUsEquivalentsResponse }) nonUsEquivalents!: NonUsEquivalentsResponse;
  @ApiProperty(VERIFICATION_PROPERTY)
  verification!: StreamVerifiedResponse | StreamFailedVerificationResponse;
}

export class DeadlineResponse {
  @ApiProperty(ACTIVITY) activity!: string;
  @ApiProperty({ example: 2026 }) earnedYear!: number;
  @ApiProperty({ example: '2029-12-31' }) claimDeadline!: string;
  @ApiProperty({ type: AmountResponse }) unclaimed!: AmountResponse;
  @ApiProperty({ description: 'The deadline has passed' }) expired!: boolean;
}

/** GET /v1/learners/:learnerId/deadlines (R5). */
export class DeadlinesResponse {
  @ApiProperty({ example: 'ada-quinn' }) learnerId!: string;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ type: [DeadlineResponse] }) deadlines!: DeadlineResponse[];
}

export class AtRiskResponse {
  @ApiProperty({
    enum: ['submission-due-soon', 'submission-overdue', 'moc-year-end-soon', 'moc-year-end-missed'],
  })
  code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ example: '2026-12-31T23:59:59.999Z' }) deadline!: string;
}

/** One board's submission of a claim (R8, R9, R16, R17). */
export class BoardSubmissionResponse {
  @ApiProperty() submissionId!: string;
  @ApiProperty({ example: 'ABIM' }) board!: string;
  @ApiProperty({ required: false, example: 'American Board of Internal Medicine' })
  boardName?: string;
  @ApiProperty({ type: AmountResponse, description: 'What this board receives (R8, R10, R3)' })
  credits!: AmountResponse;
  @ApiProperty({ type: String, nullable: true, description: 'When the learner completed it (R8)' })
  completedAt!: string | null;
  @ApiProperty({
    enum: ['requested', 'accepted', 'confirmed', 'failed', 'awaiting-consent', 'correcting'],
    example: 'accepted',
    description:
      'awaiting-consent: nothing was sent, the learner has not consented to share completion data with the boards (R7); `reason` says so. `correcting`: the board record is being deleted and sent again (R8: a correction); the claim reads Pending meanwhile',
  })
  status!: string;
  @ApiProperty({ example: 1 }) attempt!: number;
  @ApiProperty({ type: String, nullable: true }) reason!: string | null;
  @ApiProperty({ type: Boolean, nullable: true }) retryable!: boolean | null;
  @ApiProperty() requestedAt!: string;
  @ApiProperty({ type: String, nullable: true }) acceptedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) confirmedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) failedAt!: string | null;
  @ApiProperty({ description: 'Accepted more than 24 hours ago and not confirmed (R9)' })
  needsFollowUp!: boolean;
  @ApiProperty({ type: [AtRiskResponse], description: 'Why it may miss a deadline (R17)' })
  atRisk!: AtRiskResponse[];
}

export class CompletedPeriodResponse {
  @ApiProperty() from!: string;
  @ApiProperty() to!: string;
}

/** A claim as the read models hold it. */
export class LearnerClaimResponse {
  @ApiProperty() claimId!: string;
  @ApiProperty(ACTIVITY) activity!: string;
  @ApiProperty() claimedAt!: string;
  @ApiProperty({ type: AmountResponse }) claimed!: AmountResponse;
  @ApiProperty({ enum: CLAIM_TAGS, description: 'R8 (Awaiting consent: R7)' })
  tag!: string;
  @ApiProperty({ type: [String], example: ['ABIM'] }) boards!: string[];
  @ApiProperty({ enum: ['ama-pra-category-1', 'participation'], description: 'R11' })
  certificate!: string;
  @ApiProperty({ example: 'physician' }) clinicalRole!: string;
  @ApiProperty({
    type: CompletedPeriodResponse,
    nullable: true,
    description: 'The first and last time the learner earned the credit this claim redeemed (R11)',
  })
  completed!: CompletedPeriodResponse | null;
  @ApiProperty({ type: [ClaimPartResponse] }) breakdown!: ClaimPartResponse[];
  @ApiProperty({ type: [BoardSubmissionResponse] }) submissions!: BoardSubmissionResponse[];
  @ApiProperty({ example: '/v1/learners/ada-quinn/claims/3f0c…/certificate.pdf' })
  certificateUrl!: string;
}

/** GET /v1/learners/:learnerId/claims. */
export class LearnerClaimsResponse {
  @ApiProperty({ example: 'ada-quinn' }) learnerId!: string;
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ type: [LearnerClaimResponse], description: 'Newest first' })
  claims!: LearnerClaimResponse[];
}

/** An event the read models could not apply (quarantined): a report may miss its learner's rows. */
export class QuarantinedEventResponse {
  @ApiProperty({ example: 'claims' }) projection!: string;
  @ApiProperty({ example: '1041' }) position!: string;
  @ApiProperty() eventId!: string;
  @ApiProperty({ example: 'CreditsClaimed' }) eventType!: string;
  @ApiProperty({ type: String, nullable: true }) learnerId!: string | null;
}

export class ExpiringItemResponse {
  @ApiProperty({ example: 'ada-quinn' }) learnerId!: string;
  @ApiProperty(ACTIVITY) activity!: string;
  @ApiProperty({ example: 2026 }) earnedYear!: number;
  @ApiProperty({ example: '2029-12-31' }) claimDeadline!: string;
  @ApiProperty({ type: AmountResponse }) unclaimed!: AmountResponse;
}

/** GET /v1/reports/expiring (R5). */
export class ExpiringReportResponse {
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({
    description: 'The bound asked: `deadlineBefore` (before=) or `deadlineOnOrBefore` (through=)',
    type: 'object',
    properties: {
      deadlineBefore: { type: 'string', example: '2029-12-31' },
      deadlineOnOrBefore: { type: 'string', example: '2029-12-31' },
    },
    example: { deadlineOnOrBefore: '2029-12-31' },
  })
  bound!: { deadlineBefore?: string; deadlineOnOrBefore?: string };
  @ApiProperty({ type: [ExpiringItemResponse], description: 'Soonest deadline first' })
  items!: ExpiringItemResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor!: string | null;
  @ApiProperty({ type: [QuarantinedEventResponse] }) incomplete!: QuarantinedEventResponse[];
}

export class SubmissionsReportItemResponse extends LearnerClaimResponse {
  @ApiProperty({ example: 'ada-quinn' }) learnerId!: string;
}

/** GET /v1/reports/submissions (R8, R9, R17). */
export class SubmissionsReportResponse {
  @ApiProperty(POSITION) position!: string;
  @ApiProperty({ type: [SubmissionsReportItemResponse] }) items!: SubmissionsReportItemResponse[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as cursor for the next page' })
  nextCursor!: string | null;
  @ApiProperty({ type: [QuarantinedEventResponse] }) incomplete!: QuarantinedEventResponse[];
}
