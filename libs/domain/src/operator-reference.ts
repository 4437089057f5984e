import { DomainRuleViolation, type RuleId } from './rules';

/**
 * Why an operator acted, as it goes into an immutable event (a history import, an erasure): a
 * ticket reference such as `OPS-1234` or `CHG-20261201-7`, never free text (a name typed into
 * free text could never be erased from the log).
 */
export const OPERATOR_REFERENCE = /^[A-Z][A-Z0-9]{1,15}-[0-9][0-9-]{0,19}$/;

export function assertOperatorReference(reference: string, rule: RuleId, field: string): void {
  if (!OPERATOR_REFERENCE.test(reference)) {
    throw new DomainRuleViolation({
      rule,
      code: 'invalid-reference',
      field,
      message: `${field} must be a ticket reference such as OPS-1234 (capital letters, a hyphen, digits), not free text`,
    });
  }
}
