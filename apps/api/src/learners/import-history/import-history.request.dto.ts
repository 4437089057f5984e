import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  Matches,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { OPERATOR_REFERENCE } from '@ledger/domain';
import { IsExternalId, IsInstant } from '../../http/validators';

/** One past fact: a research (R1) or an answer (R2), with when the learner acted. */
export class ImportedFactDto {
  @ApiProperty({ enum: ['research', 'answer'], example: 'research' })
  @IsIn(['research', 'answer'], { message: '$property must be research or answer' })
  kind!: 'research' | 'answer';

  @ApiPropertyOptional({ description: 'For a research' })
  @ValidateIf((fact: ImportedFactDto) => fact.kind === 'research')
  @IsExternalId('research-2023-02-01-0001')
  researchId?: string;

  @ApiPropertyOptional({ description: 'For an answer' })
  @ValidateIf((fact: ImportedFactDto) => fact.kind === 'answer')
  @IsExternalId('nejm-q-4711')
  questionId?: string;

  @ApiPropertyOptional({ description: 'For an answer' })
  @ValidateIf((fact: ImportedFactDto) => fact.kind === 'answer')
  @IsBoolean()
  correct?: boolean;

  @IsInstant('2023-02-01T10:00:00Z')
  occurredAt!: string;
}

/** R15: facts older than LEDGER_MAX_BACKDATE, imported by an administrator. */
export class ImportHistoryRequestDto {
  @ApiProperty({
    description: 'Why: a ticket reference (capital letters, a hyphen, digits), never free text',
    example: 'OPS-1234',
  })
  @Matches(OPERATOR_REFERENCE, {
    message: '$property must be a ticket reference such as OPS-1234',
  })
  reference!: string;

  @ApiProperty({ type: [ImportedFactDto] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ImportedFactDto)
  facts!: ImportedFactDto[];
}
