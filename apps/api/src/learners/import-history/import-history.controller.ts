import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { ImportedFact } from '@ledger/domain';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { ImportHistoryCommand } from '@ledger/ledger';
import {
  CommandCall,
  LearnerCommandController,
  type LearnerCommandCall,
} from '../learner-commands.base';
import { LearnerCommandResponse } from '../learner-command.response';
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
  // The handler's Nest shape (route, OpenAPI description, the learner id, the body and the
  // call), alike in every learner command by design; what they share is in the base class.
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
    @CommandCall() call: LearnerCommandCall,
  ): Promise<LearnerCommandResponse> {
    const now = this.clock();
    const { answer } = await this.execute(
      new ImportHistoryCommand(
        learnerId,
        {
          occurredAt: now,
          reference: body.reference,
          importedBy: call.metadata.actor,
          facts: body.facts.map(factOf),
        },
        call.metadata,
      ),
      call,
      now,
    );
    return answer;
  }
}
