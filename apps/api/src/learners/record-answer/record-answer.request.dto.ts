import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean } from 'class-validator';
import { IsExternalId, IsInstant } from '../../http/validators';

/** R2/R14: a board-review question answered. */
export class RecordAnswerRequestDto {
  @IsExternalId('nejm-q-4711')
  questionId!: string;

  @ApiProperty({ example: true })
  @IsBoolean()
  correct!: boolean;

  @IsInstant()
  occurredAt!: string;
}
