import { Body, Controller, Post, Req, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ImportedFact } from '@ledger/domain';
import type { Request, Response } from 'express';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { ImportHistoryCommand } from '@ledger/ledger';
import { LearnerCommandController } from '../learner-commands.base';
import { learnerCommandResponse, LearnerCommandResponse } from '../learner-command.response';
import { ImportHistoryRequestDto, type ImportedFactDto } from './import-history.request.dto';

const factOf = (fact: ImportedFactDto): ImportedFact =>
  fact.kind === 'research'
    ? { kind: 'research', researchId: fact.researchId ?? '', occurredAt: new Date(fact.occurredAt) }
    : {
        kind: 'answer',
        questionId: fact.questionId ?? '',
        correct: fact.correct === true,
        occurredAt: new Date(fact.occurredAt),
      };

/**
 * R15: the one way for facts older than LEDGER_MAX_BACKDATE to enter the ledger: an
 * administrator's import, recorded with who made it and the ticket that says why.
 */
@ApiTags('operations')
@Controller('v1/learners/:learnerId/history-imports')
export class ImportHistoryController extends LearnerCommandController {
  @Post()
  @CommandEndpoint(
    'Import researches and answers older than the backdate bound, with a ticket reference (R15; admin)',
    ['admin'],
  )
  @ApiCreatedResponse({ type: LearnerCommandResponse, description: 'Imported' })
  @ApiOkResponse({ type: LearnerCommandResponse, description: 'Every fact was known: nothing new' })
  async import(
    @LearnerIdParam() learnerId: string,
    @Body() body: ImportHistoryRequestDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<LearnerCommandResponse> {
    const metadata = this.metadata(req);
    const now = this.clock();
    const outcome = await this.send(
      new ImportHistoryCommand(
        learnerId,
        {
          occurredAt: now,
          reference: body.reference,
          importedBy: metadata.actor,
          facts: body.facts.map(factOf),
        },
        metadata,
      ),
    );
    return learnerCommandResponse(learnerId, outcome, now, this.settings.timeZone, res);
  }
}
