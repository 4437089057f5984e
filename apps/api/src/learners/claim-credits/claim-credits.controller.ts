import { Body, Controller, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import {
  amountView,
  claimIdFor,
  claimTag,
  exactAmountView,
  type Activity,
  type AmountView,
} from '@ledger/domain';
import { CommandEndpoint } from '../../http/command-endpoint.decorator';
import { LearnerIdParam } from '../../http/route-params';
import { instantOf } from '../../http/validators';
import { ClaimCreditsCommand } from '@ledger/ledger';
import {
  CommandCall,
  LearnerCommandController,
  type LearnerCommandCall,
} from '../learner-commands.base';
import { LearnerCommandResponse } from '../learner-command.response';
import { ClaimCreditsRequestDto } from './claim-credits.request.dto';
import { AmountResponse, ClaimPartResponse } from '../../http/amount.response';

class ClaimView {
  @ApiProperty() claimId!: string;
  @ApiProperty({ enum: ['ipoc', 'nejm-board-review'] }) activity!: Activity;
  @ApiProperty({
    type: AmountResponse,
    description: 'Credits claimed (board review rounded down to a quarter, R3/R6)',
  })
  claimed!: AmountView;
  @ApiProperty({
    type: [ClaimPartResponse],
    description:
      'Oldest earned year first (R6), each part exact (a decimal when whole quarters, else n/12), adding up to `claimed`',
  })
  breakdown!: { earnedYear: number; claimed: AmountView; claimDeadline: string }[];
  @ApiProperty({
    type: [String],
    description: 'Boards the claim is submitted to (R8)',
    example: ['ABIM'],
  })
  boards!: string[];
  @ApiProperty({ enum: ['ama-pra-category-1', 'participation'], description: 'R11' })
  certificate!: string;
  @ApiProperty({ enum: ['Not submitted', 'Pending'], description: 'R8 tag when claimed' })
  tag!: string;
}

class ClaimCreditsResponse extends LearnerCommandResponse {
  @ApiProperty({ type: ClaimView })
  claim!: ClaimView;
}

@ApiTags('learner commands')
@Controller('v1/learners/:learnerId/claims')
export class ClaimCreditsController extends LearnerCommandController {
  // The handler's Nest shape (route, OpenAPI description, the learner id, the body and the
  // call), alike in every learner command by design; what they share is in the base class.
  @Post()
  @CommandEndpoint(
    'Claim all unclaimed, unexpired credit of one activity, oldest first (R5, R6, R8, R11)',
  )
  @ApiCreatedResponse({ type: ClaimCreditsResponse })
  async claim(
    @LearnerIdParam() learnerId: string,
    @Body() body: ClaimCreditsRequestDto,
    @CommandCall() call: LearnerCommandCall,
  ): Promise<ClaimCreditsResponse> {
    // R6: the ledger assigns the claim id (unique across it); a retry gets the same one.
    const claimId = claimIdFor(learnerId, call.metadata.commandId);
    const { outcome, answer } = await this.execute(
      new ClaimCreditsCommand(
        learnerId,
        { claimId, activity: body.activity, occurredAt: instantOf(body.occurredAt) },
        call.metadata,
      ),
      call,
    );
    const claim = outcome.state.claims.get(claimId);
    if (!claim) throw new Error(`claim ${claimId} is not in the learner's state after the command`);
    call.response.setHeader('Location', `/v1/learners/${learnerId}/claims/${claimId}`);
    return {
      ...answer,
      claim: {
        claimId,
        activity: claim.activity,
        claimed: amountView(claim.twelfths, claim.activity),
        breakdown: claim.breakdown.map((line) => ({
          earnedYear: line.earnedYear,
          claimed: exactAmountView(line.twelfths),
          claimDeadline: line.claimDeadline,
        })),
        boards: [...claim.boards],
        certificate: claim.certificate,
        // R8: nothing has reached a board yet at claim time.
        tag: claimTag(claim.boards, []),
      },
    };
  }
}
