import { Body, Controller, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { RecordDataSharingConsentCommand } from '@ledger/ledger';
import {
  CommandCall,
  LearnerCommandController,
  type LearnerCommandCall,
} from '../learner-commands.base';
import { LearnerCommandResponse } from '../learner-command.response';
import { RecordConsentRequestDto } from './record-consent.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/consent')
export class RecordConsentController extends LearnerCommandController {
  // The handler's Nest shape (route, OpenAPI description, the learner id, the body and the
  // call), alike in every learner command by design; what they share is in the base class.
  @Put()
  @CommandEndpoint(
    'Grant or withdraw consent to share completion data with the boards selected in the profile (R7); without it no completion goes to a board (R8)',
  )
  @ApiOkResponse({
    type: LearnerCommandResponse,
    description: 'Recorded (or already so: nothing new)',
  })
  async record(
    @LearnerIdParam() learnerId: string,
    @Body() body: RecordConsentRequestDto,
    @CommandCall() call: LearnerCommandCall,
  ): Promise<LearnerCommandResponse> {
    const now = this.clock();
    const { answer } = await this.execute(
      new RecordDataSharingConsentCommand(
        learnerId,
        {
          consent: body.consent,
          occurredAt: body.occurredAt ? instantOf(body.occurredAt) : now,
        },
        call.metadata,
      ),
      call,
      now,
    );
    // A PUT sets a state: it answers 200 whether or not it changed anything.
    call.response.status(200);
    return answer;
  }
}
