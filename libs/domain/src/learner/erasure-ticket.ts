/**
 * Why a learner's personal data was erased, as the event records it for ever: a reference to
 * the request in the operator's ticket system, never free text. A name typed as a reason would
 * sit in an immutable event and could never be erased itself, so only a ticket id is taken:
 * 2 to 10 capital letters or digits starting with a letter, a hyphen, then 1 to 10 digits
 * (`DSR-4711`, `GDPR2026-15`). A name, an e-mail address or a sentence does not have that shape.
 */
export const ERASURE_TICKET = /^[A-Z][A-Z0-9]{1,9}-[0-9]{1,10}$/;

export const ERASURE_TICKET_FORMAT =
  'a ticket id: 2 to 10 capital letters or digits (a letter first), a hyphen, 1 to 10 digits, e.g. DSR-4711';

export const isErasureTicket = (value: unknown): value is string =>
  typeof value === 'string' && ERASURE_TICKET.test(value);
