import { Body, Controller, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { UpdateProfileCommand } from '@ledger/ledger';
import {
  CommandCall,
  LearnerCommandController,
  type LearnerCommandCall,
} from '../learner-commands.base';
import { LearnerCommandResponse } from '../learner-command.response';
import { UpdateProfileRequestDto } from './update-profile.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/profile')
export class UpdateProfileController extends LearnerCommandController {
  // The handler's Nest shape (route, OpenAPI description, the learner id, the body and the
  // call), alike in every learner command by design; what they share is in the base class.
  @Put()
  @CommandEndpoint('Replace the CME profile (R7, R10); affects later claims only')
  @ApiOkResponse({ type: LearnerCommandResponse })
  async update(
    @LearnerIdParam() learnerId: string,
    @Body() body: UpdateProfileRequestDto,
    @CommandCall() call: LearnerCommandCall,
  ): Promise<LearnerCommandResponse> {
    const now = this.clock();
    const { answer } = await this.execute(
      new UpdateProfileCommand(
        learnerId,
        {
          clinicalRole: body.clinicalRole,
          firstName: body.firstName,
          lastName: body.lastName,
          birthMonth: body.birthMonth,
          birthDay: body.birthDay,
          country: body.country,
          boards: body.boards.map((b) => ({
            boardId: b.boardId,
            ...(b.learnerBoardId ? { learnerBoardId: b.learnerBoardId } : {}),
          })),
          licenses: body.licenses.map((l) => ({ state: l.state, licenseNumber: l.licenseNumber })),
          ...(body.npi ? { npi: body.npi } : {}),
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
