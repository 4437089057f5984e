import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  Matches,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { OPERATOR_REFERENCE } from '@ledger/domain';
import { IsExternalId, IsInstant } from '../../http/validators';

/**
 * A field of one kind of fact only: checked when the fact is of that kind (then required), and
 * refused when it is sent with the other kind (a field that does not apply is an unknown one).
 */
const OnlyFor = (kind: ImportedFactDto['kind']): PropertyDecorator =>
  applyDecorators(
    ValidateIf(
      (fact: ImportedFactDto, value: unknown) => fact.kind === kind || value !== undefined,
    ),
    ValidateBy({
      name: 'onlyFor',
      validator: {
        validate: (_value: unknown, args) => (args?.object as ImportedFactDto).kind === kind,
        defaultMessage: () => `$property belongs to a fact of kind ${kind} only`,
      },
    }),
  );

/** One past fact: a research (R1) or an answer (R2), with when the learner acted. */
export class ImportedFactDto {
  @ApiProperty({ enum: ['research', 'answer'], example: 'research' })
  @IsIn(['research', 'answer'], { message: '$property must be research or answer' })
  kind!: 'research' | 'answer';

  @ApiPropertyOptional({ description: 'For a research (only)' })
  @OnlyFor('research')
  @IsExternalId('research-2023-02-01-0001')
  researchId?: string;

  @ApiPropertyOptional({ description: 'For an answer (only)' })
  @OnlyFor('answer')
  @IsExternalId('nejm-q-4711')
  questionId?: string;

  @ApiPropertyOptional({ description: 'For an answer (only)' })
  @OnlyFor('answer')
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
