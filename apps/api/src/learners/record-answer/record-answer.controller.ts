import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { RecordAnswerCommand } from '@ledger/ledger';
import { LearnerCommandController } from '../learner-commands.base';
import { learnerCommandResponse, LearnerCommandResponse } from '../learner-command.response';
import { RecordAnswerRequestDto } from './record-answer.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/answers')
export class RecordAnswerController extends LearnerCommandController {
  @Post()
  @CommandEndpoint('Record a board-review answer: 1/6 credit for a first correct answer (R2, R14)')
  @ApiCreatedResponse({ type: LearnerCommandResponse })
  async record(
    @LearnerIdParam() learnerId: string,
    @Body() body: RecordAnswerRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LearnerCommandResponse> {
    const outcome = await this.send(
      new RecordAnswerCommand(
        learnerId,
        {
          questionId: body.questionId,
          correct: body.correct,
          occurredAt: instantOf(body.occurredAt),
        },
        this.metadata(req),
      ),
    );
    return learnerCommandResponse(learnerId, outcome, this.clock(), this.settings.timeZone, res);
  }
}
