import { ApiPropertyOptional } from '@nestjs/swagger';
import { OPERATOR_REFERENCE } from '@ledger/domain';
import { Matches, ValidateIf } from 'class-validator';

/**
 * The erasure's body: the request's ticket id, which the PersonalDataErased event records. In
 * the body, not the URL, so that it reaches neither access logs nor proxies; never free text.
 */
export class ErasePersonalDataRequestDto {
  @ApiPropertyOptional({
    description:
      "The request's ticket reference in your ticket system, recorded for ever in the event: capital letters, a hyphen, digits. Never a name or free text.",
    example: 'DSR-4711',
    pattern: OPERATOR_REFERENCE.source,
  })
  // Absent, or a ticket: null is neither (IsOptional would let it through to the domain).
  @ValidateIf((body: ErasePersonalDataRequestDto) => body.ticket !== undefined)
  @Matches(OPERATOR_REFERENCE, {
    message: '$property must be a ticket reference such as DSR-4711 (never a name or free text)',
  })
  ticket?: string;
}
