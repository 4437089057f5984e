import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { QueryBus } from '@nestjs/cqrs';
import { InvalidAsOfError, parseAsOf, type AsOf, type CreditsAsOfView } from '@ledger/audit';
import { LEDGER_CLOCK, type Clock } from '@ledger/ledger';
import { ApiError } from '../../http/api-error';
import { LearnerIdParam } from '../../http/route-params';
import { AuditEndpoint } from '../audit-endpoint.decorator';
import type { StreamVerificationNote } from '@ledger/audit';
import { AsOfQueryDto } from '../audit.query.dto';
import { CreditsAsOfQuery } from '../audit.queries';
import {
  StreamFailedVerificationResponse,
  StreamVerifiedResponse,
} from '../transparency/verification-note.response';
import { CreditsAsOfResponse } from './credits-as-of.response';

/**
 * A learner's balances as they stood at an instant or position, rebuilt from the events alone.
 * Registers the two shapes of `verification` (GET /v1/learners/:id/credits answers it too).
 */
@ApiTags('audit')
@ApiExtraModels(StreamVerifiedResponse, StreamFailedVerificationResponse)
@Controller('v1/audit/learners/:learnerId/credits')
export class LearnerCreditsAsOfController {
  constructor(
    @Inject(QueryBus) private readonly queryBus: QueryBus,
    @Inject(LEDGER_CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  @AuditEndpoint(
    "A learner's credits as they stood at an instant (events recorded by then) or a global position, " +
      'replayed from the events without the read models; the same shape as GET /v1/learners/:id/credits',
  )
  @ApiOkResponse({
    type: CreditsAsOfResponse,
    description:
      "Per activity earned / claimed / unclaimed / expired, MOC points, non-US equivalents, what was replayed, and `verification`: `ok` false when the learner's stream failed verification",
  })
  async credits(
    @LearnerIdParam() learnerId: string,
    @Query() query: AsOfQueryDto,
  ): Promise<CreditsAsOfView & { verification: StreamVerificationNote }> {
    return this.queryBus.execute(new CreditsAsOfQuery(learnerId, this.asOf(query.asOf)));
  }

  private asOf(text: string | undefined): AsOf {
    if (text === undefined) return { kind: 'instant', at: this.clock() };
    try {
      return parseAsOf(text);
    } catch (error) {
      if (!(error instanceof InvalidAsOfError)) throw error;
      throw new ApiError(400, 'validation-failed', `asOf: ${error.message}`, {
        errors: [{ field: 'asOf', message: error.message }],
      });
    }
  }
}
