import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { LearnerCommandOutcome } from '@ledger/ledger';
import type { Response } from 'express';
import { ActivitiesResponse } from '../http/amount.response';
import { balancesView, type ActivityBalanceView } from './learner-views';

/** What every learner command answers: where its events went, so a reader can wait for them. */
export class LearnerCommandResponse {
  @ApiProperty({ example: '6f1c2b9e-4a7d-4c1e-9b3a-2d5e8f0a1c47' })
  learnerId!: string;

  @ApiProperty({
    description: "The learner stream's revision after the command (64-bit, as a string)",
    example: '4',
    type: String,
    nullable: true,
  })
  revision!: string | null;

  @ApiProperty({
    description:
      'Global position of the last event written (64-bit, as a string); pass it as minPosition to reads',
    example: '1042',
    type: String,
    nullable: true,
  })
  position!: string | null;

  @ApiProperty({
    description: 'Types of the events this command recorded',
    example: ['QuestionResearched'],
  })
  recorded!: string[];

  @ApiProperty({
    description:
      'True when this command had been handled before (same Idempotency-Key): nothing new was recorded',
  })
  repeated!: boolean;

  @ApiPropertyOptional({
    type: ActivitiesResponse,
    description: "The learner's credits per activity right after the command (R12)",
  })
  credits?: Record<string, ActivityBalanceView>;
}

export function learnerCommandResponse(
  learnerId: string,
  outcome: LearnerCommandOutcome,
  asOf: Date,
  timeZone: string,
  res: Response,
): LearnerCommandResponse {
  if (outcome.revision !== undefined) res.setHeader('ETag', `"${outcome.revision.toString()}"`);
  // 201 when this command recorded its events, now or on an earlier try whose answer was lost
  // (a retry answers as the first try did); 200 when it changed nothing (R1: research known).
  res.status(outcome.events.length > 0 || outcome.repeated ? 201 : 200);
  return {
    learnerId,
    revision: outcome.revision?.toString() ?? null,
    position: outcome.position?.toString() ?? null,
    recorded: outcome.events.map((e) => e.type),
    repeated: outcome.repeated,
    credits: balancesView(outcome.state, asOf, timeZone),
  };
}
