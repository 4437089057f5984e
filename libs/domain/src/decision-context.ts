import { DomainRuleViolation } from './rules';

/** What a decider knows besides the state and the command: the server's clock and config. */
export interface DecisionContext {
  /** The server's clock when the command is decided (read by the caller, not the domain). */
  now: Date;
  /** The IANA time zone calendar years are read in (R5), e.g. `UTC`, `America/New_York`. */
  timeZone: string;
  /** R15: how far in the future `occurredAt` may be before it is refused. */
  maxClockSkewMs: number;
}

export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** R15: a command's business time must be a real instant, not beyond now + clock skew. */
export function assertBusinessTime(occurredAt: Date, context: DecisionContext): void {
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) {
    throw new DomainRuleViolation({
      rule: 'R15',
      code: 'invalid-occurred-at',
      message: 'occurredAt must be the instant the learner acted, as an ISO 8601 date-time',
      field: 'occurredAt',
    });
  }
  const latest = context.now.getTime() + context.maxClockSkewMs;
  if (occurredAt.getTime() > latest) {
    throw new DomainRuleViolation({
      rule: 'R15',
      code: 'occurred-at-in-future',
      message:
        `occurredAt ${occurredAt.toISOString()} is later than the server clock ` +
        `(${context.now.toISOString()}) plus the allowed skew of ${context.maxClockSkewMs} ms; ` +
        'send the time at which the learner acted',
      field: 'occurredAt',
    });
  }
}
