import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsOptional, IsUUID, Matches } from 'class-validator';
import { IsPageLimit } from '../http/validators';

const POSITION = /^\d{1,19}$/;

/** A replay from a position of the log. */
export class FeedReplayRequestDto {
  @ApiProperty({
    description:
      'A log position (a CloudEvent\'s `ledgerposition`, or "0" for the whole log): every event after it is sent again, in log order',
    example: '1042',
  })
  @Matches(POSITION, { message: '$property must be a position (digits)' })
  after!: string;
}

export class DeadLetterReplayRequestDto {
  @ApiPropertyOptional({
    description: 'The dead letters to send again, by event id; absent: all of them',
    type: [String],
    example: ['0b6c7e1e-5f1a-4a53-9d1c-4d2b8b1f6a11'],
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @IsUUID('all', { each: true, message: 'each of $property must be an event id (a UUID)' })
  eventIds?: string[];
}

export class DeadLetterQueryDto {
  @ApiPropertyOptional({ description: 'Dead letters after this log position', example: '0' })
  @IsOptional()
  @Matches(POSITION, { message: '$property must be a position (digits)' })
  after?: string;

  @IsPageLimit(500)
  limit?: number;
}
