import { ApiProperty } from '@nestjs/swagger';

/** One projection's state, as projection_state holds it. */
export class ProjectionStatusResponse {
  @ApiProperty({ example: 'claims' }) name!: string;
  @ApiProperty({ description: 'The generation that answers reads', example: 1 })
  live_generation!: number;
  @ApiProperty({ description: 'The last global position applied', example: '1042' })
  position!: string;
  @ApiProperty({ example: '1042' }) eventsApplied!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The last event quarantined (the alert), if any',
  })
  failedEvent!: string | null;
  @ApiProperty({ type: String, nullable: true }) failure!: string | null;
  @ApiProperty({ example: 0 }) quarantinedEvents!: number;
  @ApiProperty({ type: String, nullable: true, description: 'Set while a rebuild runs' })
  rebuildRequestedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) rebuildPosition!: string | null;
  @ApiProperty() updatedAt!: string;
}

export class ProjectionsResponse {
  @ApiProperty({ type: [ProjectionStatusResponse] }) projections!: ProjectionStatusResponse[];
}

export class RebuildRequestedResponse {
  @ApiProperty({ example: 'claims' }) projection!: string;
  @ApiProperty({ enum: ['rebuild-requested'] }) status!: string;
}
