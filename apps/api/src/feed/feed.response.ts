import { ApiProperty } from '@nestjs/swagger';

export class FeedStatusResponse {
  @ApiProperty({ enum: ['webhook', 'nats'], example: 'webhook' }) name!: string;
  @ApiProperty({
    description:
      'The checkpoint: every event up to this log position was delivered or is a dead letter',
    example: '1042',
  })
  position!: string;
  @ApiProperty({ description: 'Events delivered since the feed began', example: '977' })
  delivered!: string;
  @ApiProperty({ example: 0 }) deadLetters!: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'A replay asked for, not yet begun',
    example: null,
  })
  replayAfter!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The last delivery failure since the checkpoint last moved',
    example: 'webhook: HTTP 503',
  })
  lastError!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When that failure happened',
    example: null,
  })
  lastErrorAt!: Date | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'When the feed last moved or failed (null: it has not run yet)',
    example: null,
  })
  updatedAt!: Date | null;
}

export class FeedsResponse {
  @ApiProperty({ type: [FeedStatusResponse], description: 'Each feed configured' })
  feeds!: FeedStatusResponse[];
}

export class FeedReplayResponse {
  @ApiProperty({ enum: ['webhook', 'nats'], example: 'webhook' }) feed!: string;
  @ApiProperty({ example: '1042' }) after!: string;
  @ApiProperty({ enum: ['replay-requested'] }) status!: string;
}

export class DeadLetterResponse {
  @ApiProperty({ format: 'uuid', example: '0b6c7e1e-5f1a-4a53-9d1c-4d2b8b1f6a11' })
  eventId!: string;
  @ApiProperty({ example: '1042' }) position!: string;
  @ApiProperty({ example: 'learner-ada-quinn' }) streamName!: string;
  @ApiProperty({ example: 'CreditClaimed' }) eventType!: string;
  @ApiProperty({ example: 5 }) attempts!: number;
  @ApiProperty({ example: 'webhook: HTTP 422' }) lastError!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The dead letter of the same stream this one was parked behind (never sent)',
    example: null,
  })
  parkedBehind!: string | null;
  @ApiProperty({ format: 'date-time' }) deadLetteredAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time', example: null })
  replayRequestedAt!: string | null;
}

export class DeadLettersResponse {
  @ApiProperty({ type: [DeadLetterResponse], description: 'In log order' })
  deadLetters!: DeadLetterResponse[];
}

export class DeadLetterReplayResponse {
  @ApiProperty({ enum: ['webhook'] }) feed!: string;
  @ApiProperty({ description: 'Dead letters marked to go out again', example: 2 })
  requested!: number;
  @ApiProperty({ enum: ['replay-requested'] }) status!: string;
}
