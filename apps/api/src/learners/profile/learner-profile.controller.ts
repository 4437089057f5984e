import { Controller, Get, Inject } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
// The OpenAPI decorators an endpoint describes itself with, alike in every controller's imports.
import {
  ApiBearerAuth,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { Allow, READERS } from '../../auth/allow.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { LearnerProfileQuery } from './learner-profile.query';
import { LearnerProfileResponse } from './learner-profile.response';

@ApiTags('learner reads')
@ApiBearerAuth()
@Allow(...READERS)
@Controller('v1/learners/:learnerId/profile')
export class LearnerProfileController {
  constructor(@Inject(QueryBus) private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
    summary:
      "The CME profile's boards, each with its learner match (verified, mismatch with the reason, not checked yet), and the consent to share completion data (R7, R16)",
  })
  @ApiOkResponse({ type: LearnerProfileResponse })
  @ApiNotFoundResponse({ description: 'The learner has no CME profile' })
  profile(@LearnerIdParam() learnerId: string): Promise<LearnerProfileResponse> {
    return this.queryBus.execute(new LearnerProfileQuery(learnerId));
  }
}
