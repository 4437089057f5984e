import { Body, Controller, Put, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { RecordDataSharingConsentCommand } from '@ledger/ledger';
import { LearnerCommandController } from '../learner-commands.base';
import { learnerCommandResponse, LearnerCommandResponse } from '../learner-command.response';
import { RecordConsentRequestDto } from './record-consent.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/consent')
export class RecordConsentController extends LearnerCommandController {
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
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LearnerCommandResponse> {
    const now = this.clock();
    const outcome = await this.send(
      new RecordDataSharingConsentCommand(
        learnerId,
        {
          consent: body.consent,
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
