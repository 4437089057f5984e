import { Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { RetryBoardSubmissionCommand } from '@ledger/ledger';
import type { Request } from 'express';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { commandMetadata } from '../../http/command-context';
import { UuidParam } from '../../http/route-params';

class RetryBoardSubmissionResponse {
  @ApiProperty() submissionId!: string;
  @ApiProperty({ description: '1 for the first attempt, +1 per retry' }) attempt!: number;
  @ApiProperty({
    enum: ['requested', 'failed'],
    description: '`failed` when the profile still lacks what the board needs (R16)',
  })
  status!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Why the attempt failed at once, when it did',
  })
  reason!: string | null;
  // Where the command's events went, and the endpoint's Nest wiring and OpenAPI description
  // below: alike with the correction's (correct-board-submission) by design, each its own endpoint.
  @ApiProperty({ type: String, nullable: true }) revision!: string | null;
  @ApiProperty({ type: String, nullable: true }) position!: string | null;
}

@ApiTags('board submissions')
@Controller('v1/board-submissions/:submissionId/retry')
export class RetryBoardSubmissionController {
  constructor(@Inject(CommandBus) private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(202)
  @CommandEndpoint(
    'Retry a failed board submission after the profile was corrected (R16): a new attempt in the same history',
    ['service', 'admin'],
  )
  @ApiAcceptedResponse({ type: RetryBoardSubmissionResponse })
  @ApiNotFoundResponse({ description: 'No such submission' })
  async retry(
    @UuidParam('submissionId') submissionId: string,
    @Req() req: Request,
  ): Promise<RetryBoardSubmissionResponse> {
    const id = submissionId.toLowerCase();
    const outcome = await this.commandBus.execute(
      new RetryBoardSubmissionCommand(id, commandMetadata(req, `retry ${id}`)),
    );
    const state = outcome.state;
    if (state.status === 'not-requested')
      throw new Error('a retried submission cannot be unrequested');
    return {
      submissionId: id,
      attempt: state.attempt,
      status: state.status,
      reason: state.status === 'failed' ? (state.lastFailure?.reason ?? null) : null,
      revision: outcome.revision?.toString() ?? null,
      position: outcome.position?.toString() ?? null,
    };
  }
}
