import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { RecordResearchCommand } from '@ledger/ledger';
import { LearnerCommandController } from '../learner-commands.base';
import { learnerCommandResponse, LearnerCommandResponse } from '../learner-command.response';
import { RecordResearchRequestDto } from './record-research.request.dto';

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/questions-researched')
export class RecordResearchController extends LearnerCommandController {
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
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LearnerCommandResponse> {
    const outcome = await this.send(
      new RecordResearchCommand(
        learnerId,
        { researchId: body.researchId, occurredAt: instantOf(body.occurredAt) },
        this.metadata(req),
      ),
    );
    return learnerCommandResponse(learnerId, outcome, this.clock(), this.settings.timeZone, res);
  }
}
