import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import type { StreamVerificationNote } from '@ledger/audit';

type Verified = Extract<StreamVerificationNote, { ok: true }>;
type Failed = Extract<StreamVerificationNote, { ok: false }>;

const STREAM = { example: 'learner-ada-quinn', description: "The learner's stream" };

/** The learner's stream passed verification (its hash chain and the signed Merkle tree). */
export class StreamVerifiedResponse implements Verified {
  @ApiProperty({ enum: [true], description: 'The stream passed verification' }) ok!: true;
  @ApiProperty(STREAM) streamName!: string;
}

/** The learner's stream failed verification: the figures are shown, marked. */
export class StreamFailedVerificationResponse implements Failed {
  @ApiProperty({ enum: [false], description: 'The stream failed verification' }) ok!: false;
  @ApiProperty({
    example:
      'these figures come from a stream that failed verification: its history is not the one the ledger recorded and signed',
  })
  warning!: string;
  @ApiProperty(STREAM) streamName!: string;
  @ApiProperty({
    enum: ['altered', 'removed', 'reordered', 'head-mismatch', 'rewritten'],
    description:
      'A chain break, or `rewritten` (the stream differs from the signed tree though its chain holds)',
  })
  kind!: Failed['kind'];
  @ApiProperty({ description: 'The revision where verification first fails', example: '3' })
  revision!: string;
  @ApiProperty({ type: String, nullable: true, description: "The failing event's id" })
  eventId!: string | null;
  @ApiProperty({ description: 'What was found' }) detail!: string;
  @ApiProperty({ description: 'When this process found it', example: '2026-11-28T12:00:00.000Z' })
  detectedAt!: string;
}

/**
 * The `verification` property of a balance answer: one of the two shapes. Both models are
 * registered with @ApiExtraModels where the property is answered (LearnerCreditsAsOfController).
 */
export const VERIFICATION_PROPERTY = {
  // Not the reflected type of the union (Function, which would become a schema): the oneOf alone.
  type: Object,
  description:
    "Whether the learner's stream passed verification (hash chain and signed Merkle tree); `ok` false: the figures come from a stream that failed it",
  oneOf: [
    { $ref: getSchemaPath(StreamVerifiedResponse) },
    { $ref: getSchemaPath(StreamFailedVerificationResponse) },
  ],
};
