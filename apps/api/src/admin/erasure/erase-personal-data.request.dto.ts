import { ApiPropertyOptional } from '@nestjs/swagger';
import { ERASURE_TICKET, ERASURE_TICKET_FORMAT, isErasureTicket } from '@ledger/domain';
import { ValidateBy, ValidateIf } from 'class-validator';

/**
 * The erasure's body: the request's ticket id, which the PersonalDataErased event records. In
 * the body, not the URL, so that it reaches neither access logs nor proxies; never free text.
 */
export class ErasePersonalDataRequestDto {
  @ApiPropertyOptional({
    description: `The request's reference in your ticket system, recorded for ever in the event: ${ERASURE_TICKET_FORMAT}. Never a name or free text.`,
    example: 'DSR-4711',
    pattern: ERASURE_TICKET.source,
  })
  // Absent, or a ticket: null is neither (IsOptional would let it through to the domain).
  @ValidateIf((body: ErasePersonalDataRequestDto) => body.ticket !== undefined)
  @ValidateBy({
    name: 'isErasureTicket',
    validator: {
      validate: (value: unknown) => isErasureTicket(value),
      defaultMessage: () =>
        `$property must be ${ERASURE_TICKET_FORMAT} (never a name or free text)`,
    },
  })
  ticket?: string;
}
