import { ApiProperty } from '@nestjs/swagger';
import type { AmountView } from '@ledger/domain';

/** An amount of credit: a decimal string to show, and the exact count of twelfths to compute with. */
export class AmountResponse implements AmountView {
  @ApiProperty({
    description: 'Credits as a decimal (board review rounded down to a quarter, R3)',
    example: '1.50',
  })
  credits!: string;

  @ApiProperty({ description: 'The exact amount in twelfths of a credit', example: 18 })
  twelfths!: number;
}

/** One activity's totals (R12). */
export class ActivityBalancesResponse {
  @ApiProperty({ type: AmountResponse }) earned!: AmountResponse;
  @ApiProperty({ type: AmountResponse }) claimed!: AmountResponse;
  @ApiProperty({ type: AmountResponse, description: 'Earned, not claimed, still claimable (R5)' })
  unclaimed!: AmountResponse;
  @ApiProperty({ type: AmountResponse, description: 'Earned, not claimed, past its deadline (R5)' })
  expired!: AmountResponse;
}

/** Each activity's totals, by activity. */
export class ActivitiesResponse {
  @ApiProperty({ type: ActivityBalancesResponse, description: 'Internet Point of Care research' })
  ipoc!: ActivityBalancesResponse;

  @ApiProperty({ type: ActivityBalancesResponse, description: 'NEJM Knowledge+ board review' })
  'nejm-board-review'!: ActivityBalancesResponse;
}

/** One earned year's part of a claim (R6): exact, adding up to the claim. */
export class ClaimPartResponse {
  @ApiProperty({ example: 2026 }) earnedYear!: number;
  @ApiProperty({ type: AmountResponse }) claimed!: AmountResponse;
  @ApiProperty({
    description: 'The last day this part could be claimed (R5)',
    example: '2029-12-31',
  })
  claimDeadline!: string;
}
