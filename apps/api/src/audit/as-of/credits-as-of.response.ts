import { ApiProperty } from '@nestjs/swagger';
import { CreditsResponse } from '../../queries/learner-reads.response';

export class ReplayResponse {
  @ApiProperty({ enum: ['instant', 'position'] }) mode!: string;
  @ApiProperty({ description: 'Events folded: the learner stream and its board submissions' })
  events!: number;
  @ApiProperty({ description: 'Streams read' }) streams!: number;
}

/** GET /v1/audit/learners/:learnerId/credits: the credits' shape, and what was replayed. */
export class CreditsAsOfResponse extends CreditsResponse {
  @ApiProperty({ type: ReplayResponse }) replay!: ReplayResponse;
}
