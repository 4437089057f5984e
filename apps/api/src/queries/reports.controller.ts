import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DECISION_SETTINGS, LEDGER_CLOCK, type Clock, type DecisionSettings } from '@ledger/ledger';
import { expiringReport, submissionsReport } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { Allow } from '../auth/allow.decorator';
import { instantOf } from '../http/validators';
import { READ_MODELS } from '../tokens';
import { ExpiringQueryDto, positionOf, SubmissionsQueryDto } from './query.dto';
import { ExpiringReportResponse, SubmissionsReportResponse } from './learner-reads.response';

@ApiTags('compliance reports')
@ApiBearerAuth()
@Allow('compliance', 'auditor', 'admin')
@Controller('v1/reports')
export class ReportsController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: DataSource,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
  ) {}

  @Get('expiring')
  @ApiOperation({
    summary:
      'Unclaimed credit whose claim deadline falls before a date (`before`) or up to and including it (`through`), across learners (R5); paginated',
  })
  @ApiOkResponse({ type: ExpiringReportResponse })
  expiring(@Query() query: ExpiringQueryDto) {
    return expiringReport(this.readModels, {
      bound:
        query.through !== undefined
          ? { deadlineOnOrBefore: query.through }
          : { deadlineBefore: query.before ?? '' },
      now: this.clock(),
      timeZone: this.settings.timeZone,
      limit: query.limit ?? 100,
      cursor: query.cursor,
      minPosition: positionOf(query),
    });
  }

  @Get('submissions')
  @ApiOperation({
    summary:
      'Claims with their tags and board statuses, by tag, board and claim date (R8, R9, R17); paginated',
  })
  @ApiOkResponse({ type: SubmissionsReportResponse })
  submissions(@Query() query: SubmissionsQueryDto) {
    return submissionsReport(this.readModels, {
      tag: query.tag,
      board: query.board,
      from: query.from ? instantOf(query.from) : undefined,
      to: query.to ? instantOf(query.to) : undefined,
      now: this.clock(),
      timeZone: this.settings.timeZone,
      limit: query.limit ?? 100,
      cursor: query.cursor,
      minPosition: positionOf(query),
    });
  }
}
