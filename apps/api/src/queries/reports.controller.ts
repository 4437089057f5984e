import {
  BadRequestException,
  Controller,
  Get,
  Header,
  Inject,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/allow.decorator';
import { instantOf } from '../http/validators';
import {
  ExpiringQueryDto,
  ParsLearnerFileQueryDto,
  positionOf,
  SubmissionsQueryDto,
} from './query.dto';
import {
  ExpiringReportQuery,
  ParsLearnerFileQuery,
  SubmissionsReportQuery,
} from './read-model.queries';
import { ExpiringReportResponse, SubmissionsReportResponse } from './learner-reads.response';

@ApiTags('compliance reports')
@ApiBearerAuth()
@Allow('compliance', 'auditor', 'admin')
@Controller('v1/reports')
export class ReportsController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get('pars-learner-file')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      "PARS's tab-delimited learner file (Learner Template B) of the board submissions completed from `from` to `to` (R8: the batch path, for upload by hand); the same records as `npm run ledger -- pars-batch`",
  })
  @ApiProduces('text/tab-separated-values')
  @ApiOkResponse({
    description:
      'One line per completion record, tab-delimited, in Learner Template B column order',
    content: { 'text/tab-separated-values': { schema: { type: 'string' } } },
  })
  async parsLearnerFile(@Query() query: ParsLearnerFileQueryDto): Promise<StreamableFile> {
    if (query.from > query.to) throw new BadRequestException('from must not be after to');
    const file = await this.queryBus.execute(new ParsLearnerFileQuery(query.from, query.to));
    return new StreamableFile(Buffer.from(file, 'utf8'), {
      type: 'text/tab-separated-values; charset=utf-8',
      disposition: `attachment; filename="pars-learners-${query.from}-${query.to}.txt"`,
    });
  }

  // Each report describes itself to OpenAPI (operation, answer type) and sends its own query:
  // the shape every Nest endpoint has, alike in each by design.
  @Get('expiring')
  @ApiOperation({
    summary:
      'Unclaimed credit whose claim deadline falls before a date (`before`) or up to and including it (`through`), across learners (R5); paginated',
  })
  @ApiOkResponse({ type: ExpiringReportResponse })
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
  @ApiOkResponse({ type: SubmissionsReportResponse })
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
