import { Body, Controller, Put, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { UpdateProfileCommand } from '@ledger/ledger';
import { LearnerCommandController } from '../learner-commands.base';
import { learnerCommandResponse, LearnerCommandResponse } from '../learner-command.response';
import { UpdateProfileRequestDto } from './update-profile.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/profile')
export class UpdateProfileController extends LearnerCommandController {
  @Put()
  @CommandEndpoint('Replace the CME profile (R7, R10); affects later claims only')
  @ApiOkResponse({ type: LearnerCommandResponse })
  async update(
    @LearnerIdParam() learnerId: string,
    @Body() body: UpdateProfileRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LearnerCommandResponse> {
    const now = this.clock();
    const outcome = await this.send(
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
        this.metadata(req),
      ),
    );
    const response = learnerCommandResponse(learnerId, outcome, now, this.settings.timeZone, res);
    res.status(200);
    return response;
  }
}
