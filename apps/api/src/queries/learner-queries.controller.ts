import { Controller, Get, Inject, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { Allow, READERS } from '../auth/allow.decorator';
import { LearnerIdParam } from '../http/route-params';
import { FreshnessQueryDto, positionOf } from './query.dto';
import {
  LearnerClaimsQuery,
  LearnerCreditsQuery,
  LearnerDeadlinesQuery,
} from './read-model.queries';
import {
  CreditsResponse,
  DeadlinesResponse,
  LearnerClaimsResponse,
} from './learner-reads.response';

/** The learner's own reads: what the learning platform shows a learner (and compliance reads). */
@ApiTags('learner reads')
@ApiBearerAuth()
@Allow(...READERS)
@ApiServiceUnavailableResponse({
  description:
    'The read models are not yet at minPosition: `position` says where they are, `reason` why (a stopped projection, an append in progress holding the log, or catching up)',
})
@Controller('v1/learners/:learnerId')
export class LearnerQueriesController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get('credits')
  @ApiOperation({
    summary:
      'Per activity earned / claimed / unclaimed / expired, MOC points, non-US equivalents (R12, R13)',
  })
  @ApiOkResponse({
    type: CreditsResponse,
    description:
      "Amounts as a decimal string plus exact twelfths; positions as strings; `verification` says whether the learner's stream passed verification (`ok` false: the figures come from a stream that failed it)",
  })
  credits(@LearnerIdParam() learnerId: string, @Query() query: FreshnessQueryDto) {
    return this.queryBus.execute(new LearnerCreditsQuery(learnerId, positionOf(query)));
  }

  @Get('claims')
  @ApiOperation({
    summary:
      'Each claim with its tag and every board’s status, reason and dates (R8, R9, R16, R17)',
  })
  @ApiOkResponse({ type: LearnerClaimsResponse })
  claims(@LearnerIdParam() learnerId: string, @Query() query: FreshnessQueryDto) {
    return this.queryBus.execute(new LearnerClaimsQuery(learnerId, positionOf(query)));
  }

  @Get('deadlines')
  @ApiOperation({ summary: 'Unclaimed credit by earned year with its claim deadline (R5)' })
  @ApiOkResponse({ type: DeadlinesResponse })
  deadlines(@LearnerIdParam() learnerId: string, @Query() query: FreshnessQueryDto) {
    return this.queryBus.execute(new LearnerDeadlinesQuery(learnerId, positionOf(query)));
  }
}
