import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** R16: what a selected board's learner match says of the current profile's identity. */
export class BoardIdentityResponse {
  @ApiProperty({
    enum: ['verified', 'mismatch', 'not-checked'],
    example: 'verified',
    description:
      'verified: the board knows the learner by this identity; mismatch: it does not (see reason); not-checked: no answer for this version of the profile yet (see reason)',
  })
  status!: 'verified' | 'mismatch' | 'not-checked';

  @ApiPropertyOptional({
    description: 'What differs (mismatch), or why it is not checked yet: what the learner can do',
    example: 'ABIM: ABIM has no learner with that ABIM ID; check it in the CME profile',
  })
  reason?: string;

  @ApiPropertyOptional({
    description: 'When the board answered',
    example: '2026-03-14T09:30:05.000Z',
  })
  checkedAt?: string;
}

export class ProfileBoardResponse {
  @ApiProperty({ example: 'ABIM' }) boardId!: string;
  @ApiProperty({ type: BoardIdentityResponse }) identity!: BoardIdentityResponse;
}

/** R7: the learner's consent to share completion data with the selected boards. */
export class ConsentResponse {
  @ApiProperty({
    enum: ['granted', 'withdrawn', 'not-given'],
    example: 'granted',
    description: 'Without granted consent, no completion goes to a board: its submissions wait',
  })
  status!: 'granted' | 'withdrawn' | 'not-given';

  @ApiPropertyOptional({
    description: 'When the learner decided',
    example: '2026-03-14T09:31:00.000Z',
  })
  at?: string;

  @ApiPropertyOptional({
    description:
      'True when no consent event exists: the boards were selected in a profile recorded before consent had its own events, which was consent then (docs/pars-assumptions.md A-20)',
  })
  bySelection?: boolean;
}

/** GET /v1/learners/:learnerId/profile (R7, R16): the profile's boards, their checks, and consent. */
export class LearnerProfileResponse {
  @ApiProperty({ example: '6f1c2b9e-4a7d-4c1e-9b3a-2d5e8f0a1c47' }) learnerId!: string;
  @ApiProperty({ example: 2 }) profileVersion!: number;
  @ApiProperty({ example: 'physician' }) clinicalRole!: string;
  @ApiProperty({ example: 'US' }) country!: string;
  @ApiProperty({ type: [ProfileBoardResponse], description: 'The boards selected, in order' })
  boards!: ProfileBoardResponse[];
  @ApiProperty({ type: ConsentResponse }) consent!: ConsentResponse;
  @ApiProperty({ description: 'The learner personal data was erased' })
  personalDataErased!: boolean;
}
