import { Controller, Get, Inject, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import { StreamVerifier } from '@ledger/audit';
import { DECISION_SETTINGS, LEDGER_CLOCK, type Clock, type DecisionSettings } from '@ledger/ledger';
import { learnerClaims, learnerCredits, learnerDeadlines } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { learnerVerification } from '../audit/transparency/verification-note';
import { Allow, READERS } from '../auth/allow.decorator';
import { LearnerIdParam } from '../http/route-params';
import { READ_MODELS } from '../tokens';
import { FreshnessQueryDto, positionOf } from './query.dto';

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
  constructor(
    @Inject(READ_MODELS) private readonly readModels: DataSource,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
    @Inject(DECISION_SETTINGS) private readonly settings: DecisionSettings,
    private readonly verifier: StreamVerifier,
  ) {}

  @Get('credits')
  @ApiOperation({
    summary:
      'Per activity earned / claimed / unclaimed / expired, MOC points, non-US equivalents (R12, R13)',
  })
  @ApiOkResponse({
    description:
      "Amounts as a decimal string plus exact twelfths; positions as strings; `verification` says whether the learner's stream passed verification (`ok` false: the figures come from a stream that failed it)",
  })
  async credits(@LearnerIdParam() learnerId: string, @Query() query: FreshnessQueryDto) {
    const [credits, verification] = await Promise.all([
      learnerCredits(this.readModels, learnerId, {
        now: this.clock(),
        timeZone: this.settings.timeZone,
        minPosition: positionOf(query),
      }),
      learnerVerification(this.verifier, learnerId),
    ]);
    return { ...credits, verification };
  }

  @Get('claims')
  @ApiOperation({
    summary:
      'Each claim with its tag and every board’s status, reason and dates (R8, R9, R16, R17)',
  })
  claims(@LearnerIdParam() learnerId: string, @Query() query: FreshnessQueryDto) {
    return learnerClaims(this.readModels, learnerId, {
      now: this.clock(),
      timeZone: this.settings.timeZone,
      minPosition: positionOf(query),
    });
  }

  @Get('deadlines')
  @ApiOperation({ summary: 'Unclaimed credit by earned year with its claim deadline (R5)' })
  deadlines(@LearnerIdParam() learnerId: string, @Query() query: FreshnessQueryDto) {
    return learnerDeadlines(this.readModels, learnerId, {
      now: this.clock(),
      timeZone: this.settings.timeZone,
      minPosition: positionOf(query),
    });
  }
}
