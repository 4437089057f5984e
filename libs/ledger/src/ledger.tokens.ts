/** Injection tokens of the ledger's application layer. */
export const LEDGER_CLOCK = Symbol('LEDGER_CLOCK');
export const DECISION_SETTINGS = Symbol('DECISION_SETTINGS');

export type Clock = () => Date;

export interface DecisionSettings {
  timeZone: string;
  maxClockSkewMs: number;
  /** R15: how far in the past a learner command may be dated (LEDGER_MAX_BACKDATE). */
  maxBackdateMs: number;
}
