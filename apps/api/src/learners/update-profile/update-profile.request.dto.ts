// The validation decorators a DTO uses, as the shared validators (http/validators.ts) import them.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { CLINICAL_ROLES, type ClinicalRole } from '@ledger/domain';
import { IsCountryCode, IsExternalId, IsInstant, IsPersonName } from '../../http/validators';

export class BoardSelectionDto {
  @ApiProperty({ description: 'Board code from the catalogue (R10)', example: 'ABIM' })
  @IsString()
  @Length(1, 32)
  boardId!: string;

  @ApiPropertyOptional({ description: "The learner's id at that board", example: '123456' })
  @IsOptional()
  @IsExternalId('123456', 64)
  learnerBoardId?: string;
}

export class LicenseDto {
  @ApiProperty({ description: 'US state or territory (two letters)', example: 'CA' })
  @IsString()
  @Matches(/^[A-Z]{2}$/, { message: '$property must be two capital letters' })
  state!: string;

  @IsExternalId('A12345', 32)
  licenseNumber!: string;
}

/** R7: the CME profile. Names, birth day, board ids and license numbers are encrypted before they reach an event. */
export class UpdateProfileRequestDto {
  @ApiProperty({ enum: CLINICAL_ROLES, example: 'physician' })
  @IsIn(CLINICAL_ROLES as readonly string[], {
    message: `$property must be one of ${CLINICAL_ROLES.join(', ')}`,
  })
  clinicalRole!: ClinicalRole;

  @IsPersonName('Ada', 'First name')
  firstName!: string;

  @IsPersonName('Quinn', 'Last name')
  lastName!: string;

  @ApiProperty({ minimum: 1, maximum: 12, example: 3 })
  @IsInt()
  @Min(1)
  @Max(12)
  birthMonth!: number;

  @ApiProperty({ minimum: 1, maximum: 31, example: 14 })
  @IsInt()
  @Min(1)
  @Max(31)
  birthDay!: number;

  @IsCountryCode()
  country!: string;

  @ApiProperty({
    type: [BoardSelectionDto],
    example: [{ boardId: 'ABIM', learnerBoardId: '123456' }],
  })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => BoardSelectionDto)
  boards!: BoardSelectionDto[];

  @ApiProperty({ type: [LicenseDto], example: [{ state: 'CA', licenseNumber: 'A12345' }] })
  @IsArray()
  @ArrayMaxSize(60)
  @ValidateNested({ each: true })
  @Type(() => LicenseDto)
  licenses!: LicenseDto[];

  @ApiPropertyOptional({
    description: 'National Provider Identifier (10 digits)',
    example: '1234567893',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{10}$/, { message: '$property must be 10 digits' })
  npi?: string;

  @ApiPropertyOptional({
    description: 'When the learner changed the profile (ISO 8601 with a zone); default: now',
    example: '2026-03-14T09:30:00Z',
  })
  @IsOptional()
  @IsInstant()
  occurredAt?: string;
}
