/** The domain rules of design.md, by number, so that errors and tests can name them. */
export type RuleId =
  | 'R1'
  | 'R2'
  | 'R3'
  | 'R4'
  | 'R5'
  | 'R6'
  | 'R7'
  | 'R8'
  | 'R9'
  | 'R10'
  | 'R11'
  | 'R12'
  | 'R13'
  | 'R14'
  | 'R15'
  | 'R16'
  | 'R17';

/** Every refusal the domain can give, in kebab-case. The app maps them to 409/422. */
export type DomainRuleCode =
  | 'research-id-required'
  | 'question-id-required'
  | 'invalid-amount'
  | 'claim-window-closed'
  | 'nothing-to-claim'
  | 'claim-id-conflict'
  | 'profile-required'
  | 'required-field'
  | 'name-too-long'
  | 'unprintable-name'
  | 'invalid-clinical-role'
  | 'impossible-birth-date'
  | 'invalid-country'
  | 'duplicate-board'
  | 'unknown-license-state'
  | 'invalid-license-number'
  | 'duplicate-license'
  | 'invalid-npi'
  | 'submission-conflict'
  | 'submission-not-requested'
  | 'submission-not-in-flight'
  | 'submission-not-accepted'
  | 'already-confirmed'
  | 'follow-up-too-early'
  | 'board-not-in-catalogue'
  | 'board-not-for-role'
  | 'invalid-occurred-at'
  | 'occurred-at-in-future'
  | 'occurred-at-too-old'
  | 'invalid-reference'
  | 'import-empty'
  | 'board-id-format'
  | 'retry-not-allowed'
  | 'failure-not-retryable'
  | 'invalid-consent'
  | 'no-board-selected'
  | 'board-not-selected'
  | 'unknown-profile-version'
  | 'attempt-overtaken'
  | 'submission-in-flight'
  | 'record-not-deleted'
  | 'no-correction-in-progress'
  | 'reporting-window-closed'
  | 'profile-incomplete'
  | 'reported-with-another-record'
  | 'not-reported-with-another-record';

export interface DomainRuleViolationDetails {
  rule: RuleId;
  code: DomainRuleCode;
  /** Human and actionable: says what to do, not only what is wrong. */
  message: string;
  /** The offending command field, as a path (`boards[1].boardId`), when there is one. */
  field?: string;
}

/** The one error a decider throws when a command breaks a domain rule. */
export class DomainRuleViolation extends Error {
  override readonly name = 'DomainRuleViolation';
  readonly rule: RuleId;
  readonly code: DomainRuleCode;
  readonly field: string | undefined;

  constructor(details: DomainRuleViolationDetails) {
    super(details.message);
    this.rule = details.rule;
    this.code = details.code;
    this.field = details.field;
  }

  toJSON(): DomainRuleViolationDetails {
    return {
      rule: this.rule,
      code: this.code,
      message: this.message,
      ...(this.field === undefined ? {} : { field: this.field }),
    };
  }
}

export const isDomainRuleViolation = (error: unknown): error is DomainRuleViolation =>
  error instanceof DomainRuleViolation;
