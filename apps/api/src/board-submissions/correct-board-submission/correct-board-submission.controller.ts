import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiNotFoundResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { CorrectBoardSubmissionCommand } from '@ledger/ledger';
import type { Request } from 'express';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { commandMetadata } from '../../http/command-context';
import { UuidParam } from '../../http/route-params';
import { CorrectBoardSubmissionRequestDto } from './correct-board-submission.request.dto';

class CorrectBoardSubmissionResponse {
  @ApiProperty() submissionId!: string;
  @ApiProperty({
    description: 'The correction is a new attempt: 1 for the first, +1 per retry or correction',
  })
  attempt!: number;
  @ApiProperty({
    enum: ['correcting'],
    description:
      'The board record is being deleted, then sent again (the claim reads Pending meanwhile)',
  })
  status!: string;
  // Where the command's events went, and the endpoint's Nest wiring and OpenAPI description
  // below: alike with the retry's (retry-board-submission) by design, each its own endpoint.
  @ApiProperty({ type: String, nullable: true }) revision!: string | null;
  @ApiProperty({ type: String, nullable: true }) position!: string | null;
}

@ApiTags('board submissions')
@Controller('v1/board-submissions/:submissionId/corrections')
export class CorrectBoardSubmissionController {
  constructor(@Inject(CommandBus) private readonly commandBus: CommandBus) {}

  @Post()
  @HttpCode(202)
  @CommandEndpoint(
    "Correct a board record (R8): PARS records cannot be edited, so the record is deleted and sent again with the learner's current profile, as a new attempt in the same history",
    ['compliance', 'admin'],
  )
  @ApiAcceptedResponse({ type: CorrectBoardSubmissionResponse })
  @ApiNotFoundResponse({ description: 'No such submission' })
  async correct(
    @UuidParam('submissionId') submissionId: string,
    @Body() body: CorrectBoardSubmissionRequestDto,
    @Req() req: Request,
  ): Promise<CorrectBoardSubmissionResponse> {
    const id = submissionId.toLowerCase();
    const outcome = await this.commandBus.execute(
      new CorrectBoardSubmissionCommand(
        id,
        body.reason,
        body.reference,
        commandMetadata(req, `correct ${id}`),
      ),
    );
    const state = outcome.state;
    if (state.status === 'not-requested')
      throw new Error('a corrected submission cannot be unrequested');
    return {
      submissionId: id,
      attempt: state.attempt,
      status: state.status,
      revision: outcome.revision?.toString() ?? null,
      position: outcome.position?.toString() ?? null,
    };
  }
}
