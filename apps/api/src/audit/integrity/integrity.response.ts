import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ChainBreakResponse {
  @ApiProperty() streamName!: string;
  @ApiProperty({ enum: ['altered', 'removed', 'reordered', 'head-mismatch'] }) kind!: string;
  @ApiProperty({ description: 'The revision where the chain first breaks', example: '3' })
  revision!: string;
  @ApiProperty({ type: String, nullable: true }) eventId!: string | null;
  @ApiProperty({ type: String, nullable: true }) position!: string | null;
  @ApiProperty() detail!: string;
}

export class ChainVerificationResponse {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ example: 12 }) streamsChecked!: number;
  @ApiProperty({ example: 240 }) eventsChecked!: number;
  @ApiProperty({ type: [ChainBreakResponse] }) breaks!: ChainBreakResponse[];
}

export class LogDigestResponse {
  @ApiProperty({ example: 'cme-ledger/log-digest/v1' }) algorithm!: string;
  @ApiProperty({ description: 'Exclusive start of the range', example: '0' })
  afterPosition!: string;
  @ApiProperty({ example: '1042' }) upToPosition!: string;
  @ApiProperty({ example: 240 }) events!: number;
  @ApiProperty({ description: 'Hex SHA-256' }) digest!: string;
  @ApiProperty({ type: String, nullable: true }) lastEventId!: string | null;
}

export class DigestComparisonResponse {
  @ApiProperty() expectedDigest!: string;
  @ApiProperty() matches!: boolean;
  @ApiProperty() detail!: string;
}

/** GET /v1/audit/integrity. */
export class IntegrityResponse {
  @ApiProperty({ description: 'Every chain verifies and, given a digest to compare, it matches' })
  ok!: boolean;
  @ApiProperty({ type: ChainVerificationResponse }) verification!: ChainVerificationResponse;
  @ApiProperty({ type: LogDigestResponse }) log!: LogDigestResponse;
  @ApiPropertyOptional({ type: DigestComparisonResponse, description: 'With expectedDigest' })
  comparison?: DigestComparisonResponse;
}
