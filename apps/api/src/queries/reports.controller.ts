import { Controller, Get, Inject, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/allow.decorator';
import { instantOf } from '../http/validators';
import { ExpiringQueryDto, positionOf, SubmissionsQueryDto } from './query.dto';
import { ExpiringReportQuery, SubmissionsReportQuery } from './read-model.queries';

@ApiTags('compliance reports')
@ApiBearerAuth()
@Allow('compliance', 'auditor', 'admin')
@Controller('v1/reports')
export class ReportsController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get('expiring')
  @ApiOperation({
    summary:
      'Unclaimed credit whose claim deadline falls before a date (`before`) or up to and including it (`through`), across learners (R5); paginated',
  })
  expiring(@Query() query: ExpiringQueryDto) {
    return this.queryBus.execute(
      new ExpiringReportQuery(
        query.through !== undefined
          ? { deadlineOnOrBefore: query.through }
          : { deadlineBefore: query.before ?? '' },
        pageOf(query),
      ),
    );
  }

  @Get('submissions')
  @ApiOperation({
    summary:
      'Claims with their tags and board statuses, by tag, board and claim date (R8, R9, R17); paginated',
  })
  submissions(@Query() query: SubmissionsQueryDto) {
    return this.queryBus.execute(
      new SubmissionsReportQuery(
        {
          tag: query.tag,
          board: query.board,
          from: query.from ? instantOf(query.from) : undefined,
          to: query.to ? instantOf(query.to) : undefined,
        },
        pageOf(query),
      ),
    );
  }
}

/** A report's page: its size (100 unless asked), where it starts, and how fresh it must be. */
function pageOf(query: { limit?: number; cursor?: string; minPosition?: string }) {
  return { limit: query.limit ?? 100, cursor: query.cursor, minPosition: positionOf(query) };
}
