import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { RecordResearchCommand } from '@ledger/ledger';
import {
  CommandCall,
  LearnerCommandController,
  type LearnerCommandCall,
} from '../learner-commands.base';
import { LearnerCommandResponse } from '../learner-command.response';
import { RecordResearchRequestDto } from './record-research.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/questions-researched')
export class RecordResearchController extends LearnerCommandController {
  // The handler's Nest shape (route, OpenAPI description, the learner id, the body and the
  // call), alike in every learner command by design; what they share is in the base class.
  @Post()
  @CommandEndpoint('Record a clinical question researched: 0.5 credit once per research id (R1)')
  @ApiCreatedResponse({ type: LearnerCommandResponse, description: 'Recorded' })
  @ApiOkResponse({
    type: LearnerCommandResponse,
    description: 'Already recorded: nothing new (R1)',
  })
  async record(
    @LearnerIdParam() learnerId: string,
    @Body() body: RecordResearchRequestDto,
    @CommandCall() call: LearnerCommandCall,
  ): Promise<LearnerCommandResponse> {
    const { answer } = await this.execute(
      new RecordResearchCommand(
        learnerId,
        { researchId: body.researchId, occurredAt: instantOf(body.occurredAt) },
        call.metadata,
      ),
      call,
    );
    return answer;
  }
}
