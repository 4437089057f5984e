import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export class ErasePersonalDataQueryDto {
  @ApiPropertyOptional({
    description: 'Why (recorded in the PersonalDataErased event): never personal data itself',
    example: 'GDPR art. 17 request #4711',
    maxLength: 200,
  })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @Matches(/^[^\p{Cc}\p{Cs}\p{Co}\p{Cn}]+$/u, {
    message: '$property must not contain control characters',
  })
  reason?: string;
}
