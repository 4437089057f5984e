/** Injection tokens of the ledger's application layer. */
export const LEDGER_CLOCK = Symbol('LEDGER_CLOCK');
export const DECISION_SETTINGS = Symbol('DECISION_SETTINGS');

export type Clock = () => Date;

export interface DecisionSettings {
  timeZone: string;
  maxClockSkewMs: number;
}
