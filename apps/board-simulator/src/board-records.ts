import type { Activity } from '@ledger/domain';

/** The faults an operator or a test switches on (POST /admin/faults). */
export interface Faults {
  /** Every board answers 503. */
  outage: boolean;
  /** Every board answer waits this long first. */
  latencyMs: number;
  /** Share (0..1) of board requests answered 500 without being processed. */
  errorRate: number;
}

export const NO_FAULTS: Faults = { outage: false, latencyMs: 0, errorRate: 0 };

/** An accepted submission, as GET /admin/records lists it. */
export interface BoardRecordView {
  board: string;
  submissionId: string;
  boardRecordId: string;
  attempt: number;
  activity: Activity;
  credits: string;
  /** R8: the completion date the board was given for the credit. */
  completedAt: string;
  /** The learner's last name as the board received it (what it matched on). */
  lastName: string;
  acceptedAt: string;
  /** Null until the board's records are updated (`confirmAfterMs` after acceptance). */
  confirmedAt: string | null;
  /** How many times this submission reached the board, duplicates and refusals included. */
  receivedCount: number;
}

interface StoredRecord {
  board: string;
  submissionId: string;
  boardRecordId: string;
  attempt: number;
  activity: Activity;
  credits: string;
  completedAt: string;
  lastName: string;
  acceptedAtMs: number;
}

const keyOf = (board: string, submissionId: string): string => `${board}\u0000${submissionId}`;

/**
 * The boards' records, in memory: a restart forgets them (the simulator stands in for the
 * boards in development and tests; nothing depends on it surviving a restart). A record is
 * confirmed `confirmAfterMs` after acceptance, computed when read, so that no timer runs.
 */
export class BoardRecords {
  private readonly records = new Map<string, StoredRecord>();
  private readonly receipts = new Map<string, number>();
  private sequence = 0;

  constructor(
    private readonly confirmAfterMs: number,
    private readonly now: () => number,
  ) {}

  /** Counts one arrival of a submission at a board. */
  received(board: string, submissionId: string): void {
    const key = keyOf(board, submissionId);
    this.receipts.set(key, (this.receipts.get(key) ?? 0) + 1);
  }

  find(board: string, submissionId: string): StoredRecord | undefined {
    return this.records.get(keyOf(board, submissionId));
  }

  accept(input: Omit<StoredRecord, 'boardRecordId' | 'acceptedAtMs'>): StoredRecord {
    this.sequence += 1;
    const record: StoredRecord = {
      ...input,
      boardRecordId: `${input.board}-${String(this.sequence).padStart(6, '0')}`,
      acceptedAtMs: this.now(),
    };
    this.records.set(keyOf(input.board, input.submissionId), record);
    return record;
  }

  /** R9: when the board's records showed the submission, if they do yet. */
  confirmedAt(record: StoredRecord): string | undefined {
    const at = record.acceptedAtMs + this.confirmAfterMs;
    return this.now() >= at ? new Date(at).toISOString() : undefined;
  }

  list(): BoardRecordView[] {
    return [...this.records.values()].map((record) => ({
      board: record.board,
      submissionId: record.submissionId,
      boardRecordId: record.boardRecordId,
      attempt: record.attempt,
      activity: record.activity,
      credits: record.credits,
      completedAt: record.completedAt,
      lastName: record.lastName,
      acceptedAt: new Date(record.acceptedAtMs).toISOString(),
      confirmedAt: this.confirmedAt(record) ?? null,
      receivedCount: this.receipts.get(keyOf(record.board, record.submissionId)) ?? 0,
    }));
  }

  reset(): void {
    this.records.clear();
    this.receipts.clear();
    this.sequence = 0;
  }
}
