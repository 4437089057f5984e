import type { Activity } from '@ledger/domain';

/**
 * The board reporting gateway (ACCME-style direct credit reporting, R8, R9, R16): the port
 * the board submission process talks to. Adapters: `ParsBoardGateway` (ACCME PARS); the PARS simulator
 * app answers like a board would, for development and tests.
 */

/** What a board needs to match a learner (R7, R16); personal data, decrypted just in time. */
export interface BoardLearnerIdentity {
  learnerBoardId?: string;
  firstName: string;
  lastName: string;
  birthMonth: number;
  birthDay: number;
  licenses: { state: string; licenseNumber: string }[];
  npi?: string;
}

/** One attempt to report one claim's credit to one board. */
export interface BoardSubmissionRequest {
  /** The idempotency key: every retry of every attempt sends the same id. */
  submissionId: string;
  board: string;
  attempt: number;
  learner: BoardLearnerIdentity;
  activity: Activity;
  /** The exact amount, in twelfths of a credit (R4), as a decimal string. */
  twelfths: string;
  /** The amount as a certificate shows it (R3), e.g. "0.75". */
  credits: string;
  /** When the credit was claimed (ISO instant). */
  completedAt: string;
}

export type BoardSubmissionResult =
  | { outcome: 'accepted'; boardRecordId: string }
  /** The board refused the submission (4xx with a reason): retrying the same data cannot help. */
  | { outcome: 'rejected'; reason: string }
  /** Outage, 5xx, 429 or timeouts beyond the retry budget: a later retry can help. */
  | { outcome: 'unavailable'; reason: string };

/** R9: whether the board's records show an accepted submission yet. */
export interface BoardRecordStatus {
  found: boolean;
  confirmed: boolean;
  confirmedAt?: string;
  /**
   * R9/R16: the board refused the record after receiving it (PARS decides within 24 hours):
   * the reason, to be recorded as the attempt's failure.
   */
  rejected?: string;
}

/** R16: whether a board knows the learner by this identity, asked before any claim. */
export interface LearnerMatchRequest {
  board: string;
  learner: BoardLearnerIdentity;
}

export type LearnerMatchResult =
  | { outcome: 'matched' }
  /** The board does not know the learner by this identity: the reason says what differs. */
  | { outcome: 'mismatched'; reason: string }
  /**
   * No answer about the learner: the channel has no learner match for this board, or refused
   * the request itself (a 4xx). Nothing to record: the profile shows the board not checked.
   */
  | { outcome: 'no-answer'; reason: string }
  /** Unreachable within the retry budget: ask again later (never a mismatch). */
  | { outcome: 'unavailable'; reason: string };

export interface BoardGateway {
  submit(request: BoardSubmissionRequest): Promise<BoardSubmissionResult>;
  /** R16: the board's learner match (PARS's `LearnerMatchRequest`). */
  matchLearnerIdentity(request: LearnerMatchRequest): Promise<LearnerMatchResult>;
  /** Throws `BoardUnavailableError` when the board cannot be reached within the retry budget. */
  recordStatus(board: string, submissionId: string): Promise<BoardRecordStatus>;
  /**
   * R8: a correction's first half: the board's record of the submission is deleted (a record
   * cannot be edited). Resolves also when the board has no such record (any more): deleting
   * twice is deleting once. Throws `BoardUnavailableError` when the board cannot be reached
   * within the retry budget, `BoardRequestRefusedError` when it refuses.
   */
  deleteRecord(board: string, submissionId: string): Promise<void>;
}

/** Nest injection token of the `BoardGateway`. */
export const BOARD_GATEWAY = Symbol('BOARD_GATEWAY');

/** A board could not be reached within the retry budget; a later call can succeed. */
export class BoardUnavailableError extends Error {
  readonly retryable = true;

  constructor(
    readonly board: string,
    message: string,
  ) {
    super(message);
    this.name = 'BoardUnavailableError';
  }
}

/** A board refused a request for good (a 4xx): repeating it unchanged cannot help. */
export class BoardRequestRefusedError extends Error {
  readonly retryable = false;

  constructor(
    readonly board: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'BoardRequestRefusedError';
  }
}
