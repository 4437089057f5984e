import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { RecordAnswerCommand } from '@ledger/ledger';
import {
  CommandCall,
  LearnerCommandController,
  type LearnerCommandCall,
} from '../learner-commands.base';
import { LearnerCommandResponse } from '../learner-command.response';
import { RecordAnswerRequestDto } from './record-answer.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/answers')
export class RecordAnswerController extends LearnerCommandController {
  // The handler's Nest shape (route, OpenAPI description, the learner id, the body and the
  // call), alike in every learner command by design; what they share is in the base class.
  @Post()
  @CommandEndpoint('Record a board-review answer: 1/6 credit for a first correct answer (R2, R14)')
  @ApiCreatedResponse({ type: LearnerCommandResponse })
  async record(
    @LearnerIdParam() learnerId: string,
    @Body() body: RecordAnswerRequestDto,
    @CommandCall() call: LearnerCommandCall,
  ): Promise<LearnerCommandResponse> {
    const { answer } = await this.execute(
      new RecordAnswerCommand(
        learnerId,
        {
          questionId: body.questionId,
          correct: body.correct,
          occurredAt: instantOf(body.occurredAt),
        },
        call.metadata,
      ),
      call,
    );
    return answer;
  }
}
