import { DomainRuleViolation } from './rules';

/** What a decider knows besides the state and the command: the server's clock and config. */
export interface DecisionContext {
  /** The server's clock when the command is decided (read by the caller, not the domain). */
  now: Date;
  /** The IANA time zone calendar years are read in (R5), e.g. `UTC`, `America/New_York`. */
  timeZone: string;
  /** R15: how far in the future `occurredAt` may be before it is refused. */
  maxClockSkewMs: number;
  /**
   * R15: how far in the past a learner command's `occurredAt` may be; older facts enter only
   * through a history import (ImportHistory), which records who imported them and why.
   */
  maxBackdateMs: number;
}

export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
/** R15: 30 days: a fact the platform queued through an outage still arrives in time. */
export const DEFAULT_MAX_BACKDATE_MS = 30 * 24 * 60 * 60 * 1000;

/**
 * R5/R15: the instant a claim's windows are judged at: the later of its business time and the
 * server's clock less the allowed skew, so dating a claim in the past never reopens a window.
 */
export const judgedAt = (occurredAt: Date, context: DecisionContext): Date =>
  new Date(Math.max(occurredAt.getTime(), context.now.getTime() - context.maxClockSkewMs));

/** R15: a command's business time must be a real instant, not beyond now + clock skew. */
export function assertBusinessTime(
  occurredAt: Date,
  context: DecisionContext,
  field = 'occurredAt',
): void {
  if (!(occurredAt instanceof Date) || Number.isNaN(occurredAt.getTime())) {
    throw new DomainRuleViolation({
      rule: 'R15',
      code: 'invalid-occurred-at',
      message: `${field} must be the instant the learner acted, as an ISO 8601 date-time`,
      field,
    });
  }
  const latest = context.now.getTime() + context.maxClockSkewMs;
  if (occurredAt.getTime() > latest) {
    throw new DomainRuleViolation({
      rule: 'R15',
      code: 'occurred-at-in-future',
      message:
        `${field} ${occurredAt.toISOString()} is later than the server clock ` +
        `(${context.now.toISOString()}) plus the allowed skew of ${context.maxClockSkewMs} ms; ` +
        'send the time at which the learner acted',
      field,
    });
  }
}

/** R15: a learner command's business time may be in the past only within the configured bound. */
export function assertNotBackdated(
  occurredAt: Date,
  context: DecisionContext,
  field = 'occurredAt',
): void {
  const earliest = context.now.getTime() - context.maxBackdateMs;
  if (occurredAt.getTime() < earliest) {
    throw new DomainRuleViolation({
      rule: 'R15',
      code: 'occurred-at-too-old',
      message:
        `${field} ${occurredAt.toISOString()} is more than ${formatDuration(context.maxBackdateMs)} ` +
        `before the server clock (${context.now.toISOString()}); older facts enter only through a ` +
        'history import by an administrator, which records who imported them and why',
      field,
    });
  }
}

const formatDuration = (ms: number): string => {
  const hours = ms / 3_600_000;
  return Number.isInteger(hours / 24) ? `${hours / 24} day(s)` : `${ms} ms`;
};
