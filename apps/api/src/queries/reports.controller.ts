import {
  BadRequestException,
  Controller,
  Get,
  Header,
  Inject,
  Query,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { templateBFile } from '@ledger/boards';
import type { BoardSubmissionEvent, LearnerEvent } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import {
  BOARD_SUBMISSION_EVENT_CODEC,
  DECISION_SETTINGS,
  LEARNER_EVENT_CODEC,
  LEDGER_CLOCK,
  parsBatch,
  type Clock,
  type DecisionSettings,
  type EventCodec,
} from '@ledger/ledger';
import { expiringReport, submissionsReport } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { Allow } from '../auth/allow.decorator';
import { instantOf } from '../http/validators';
import { READ_MODELS } from '../tokens';
import {
  ExpiringQueryDto,
  ParsLearnerFileQueryDto,
  positionOf,
  SubmissionsQueryDto,
} from './query.dto';

@ApiTags('compliance reports')
@ApiBearerAuth()
@Allow('compliance', 'auditor', 'admin')
@Controller('v1/reports')
export class ReportsController {
  constructor(
    @Inject(READ_MODELS) private readonly readModels: DataSource,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEARNER_EVENT_CODEC) private readonly learnerCodec: EventCodec<LearnerEvent>,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC)
    private readonly submissionCodec: EventCodec<BoardSubmissionEvent>,
  ) {}

  @Get('pars-learner-file')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary:
      "PARS's tab-delimited learner file (Learner Template B) of the board submissions completed from `from` to `to` (R8: the batch path, for upload by hand); the same records as `npm run ledger -- pars-batch`",
  })
  async parsLearnerFile(@Query() query: ParsLearnerFileQueryDto): Promise<StreamableFile> {
    if (query.from > query.to) throw new BadRequestException('from must not be after to');
    const batch = await parsBatch(
      this.store,
      { learner: this.learnerCodec, submission: this.submissionCodec },
      { from: query.from, to: query.to },
    );
    return new StreamableFile(Buffer.from(templateBFile(batch.records), 'utf8'), {
      type: 'text/tab-separated-values; charset=utf-8',
      disposition: `attachment; filename="pars-learners-${query.from}-${query.to}.txt"`,
    });
  }

  @Get('expiring')
  @ApiOperation({
    summary:
      'Unclaimed credit whose claim deadline falls before a date (`before`) or up to and including it (`through`), across learners (R5); paginated',
  })
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
