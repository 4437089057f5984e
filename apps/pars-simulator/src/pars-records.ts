import type { ParsActivityView, ParsCompletion, ParsError, ParsRecordStatus } from '@ledger/boards';

/** The faults an operator or a test switches on (POST /admin/faults). */
export interface Faults {
  /** Every web-service call answers 503. */
  outage: boolean;
  /** Every web-service answer waits this long first. */
  latencyMs: number;
  /** Share (0..1) of web-service calls answered 500 without being processed. */
  errorRate: number;
  /**
   * Every web-service call is processed (a record is saved) but not answered until the hold is
   * switched off: a board that has a request its caller has not heard back about.
   */
  hold: boolean;
  /**
   * Operations answered 503 without being processed, the others working: an outage that
   * strikes between two calls (a correction's deletion and its resubmission, say).
   */
  failOperations: string[];
}

export const NO_FAULTS: Faults = {
  outage: false,
  latencyMs: 0,
  errorRate: 0,
  hold: false,
  failOperations: [],
};

/** A learner record, as GET /admin/records lists it. */
export interface ParsRecordView {
  /** PARS's board code (a certifying board, or a state board's state). */
  board: string;
  /** The provider's record id: the ledger's submission id. */
  submissionId: string;
  boardRecordId: string;
  activityId: string;
  credits: string;
  mocPoints: string | null;
  completionDate: string;
  /** The learner's last name as PARS received it (what it matched on). */
  lastName: string;
  status: Exclude<ParsRecordStatus, 'NotFound'>;
  receivedAt: string;
  /** When PARS accepted the record (`decideAfterMs` after receipt), null until then. */
  confirmedAt: string | null;
  deletedAt: string | null;
  /** How many times this provider record id reached PARS, duplicates and refusals included. */
  receivedCount: number;
}

interface StoredRecord {
  completion: ParsCompletion;
  boardRecordId: string;
  receivedAtMs: number;
  deletedAtMs: number | undefined;
  /** Set when the board is to reject it when it processes it. */
  rejection: ParsError | undefined;
}

/**
 * PARS's learner records and registered activities, in memory (a restart forgets them: the
 * simulator stands in for PARS in development and tests). A record is Pending until
 * `decideAfterMs` after receipt, then Accepted or Rejected, computed when read: no timer runs.
 * A provider record id names the latest record sent under it; earlier ones (deleted or
 * rejected) stay in the history.
 */
export class ParsRecords {
  private readonly history: StoredRecord[] = [];
  private readonly latest = new Map<string, StoredRecord>();
  private readonly receipts = new Map<string, number>();
  readonly activities = new Map<string, ParsActivityView>();
  private sequence = 0;

  constructor(
    private readonly decideAfterMs: number,
    private readonly now: () => number,
  ) {}

  received(providerRecordId: string): void {
    this.receipts.set(providerRecordId, (this.receipts.get(providerRecordId) ?? 0) + 1);
  }

  find(providerRecordId: string): StoredRecord | undefined {
    return this.latest.get(providerRecordId);
  }

  /** the same learner, activity, board and date already reported under another id. */
  duplicateOf(completion: ParsCompletion): StoredRecord | undefined {
    return [...this.latest.values()].find(
      (record) =>
        record.completion.providerRecordId !== completion.providerRecordId &&
        this.statusOf(record) !== 'Deleted' &&
        this.statusOf(record) !== 'Rejected' &&
        record.completion.activityId === completion.activityId &&
        record.completion.boardId === completion.boardId &&
        record.completion.completionDate === completion.completionDate &&
        record.completion.lastName === completion.lastName &&
        record.completion.learnerBoardId === completion.learnerBoardId &&
        record.completion.licenseNumber === completion.licenseNumber &&
        record.completion.npi === completion.npi,
    );
  }

  save(completion: ParsCompletion, rejection: ParsError | undefined): StoredRecord {
    this.sequence += 1;
    const record: StoredRecord = {
      completion,
      boardRecordId: `PARS-${String(this.sequence).padStart(8, '0')}`,
      receivedAtMs: this.now(),
      deletedAtMs: undefined,
      rejection,
    };
    this.history.push(record);
    this.latest.set(completion.providerRecordId, record);
    return record;
  }

  delete(record: StoredRecord): void {
    record.deletedAtMs ??= this.now();
  }

  statusOf(record: StoredRecord): Exclude<ParsRecordStatus, 'NotFound'> {
    if (record.deletedAtMs !== undefined) return 'Deleted';
    if (this.now() < record.receivedAtMs + this.decideAfterMs) return 'Pending';
    return record.rejection === undefined ? 'Accepted' : 'Rejected';
  }

  decidedAt(record: StoredRecord): string {
    return new Date(record.receivedAtMs + this.decideAfterMs).toISOString();
  }

  rejectionOf(record: StoredRecord): ParsError | undefined {
    return record.rejection;
  }

  list(): ParsRecordView[] {
    return this.history.map((record) => {
      const status = this.statusOf(record);
      return {
        board: record.completion.boardId,
        submissionId: record.completion.providerRecordId,
        boardRecordId: record.boardRecordId,
        activityId: record.completion.activityId,
        credits: record.completion.credits,
        mocPoints: record.completion.mocPoints ?? null,
        completionDate: record.completion.completionDate,
        lastName: record.completion.lastName,
        status,
        receivedAt: new Date(record.receivedAtMs).toISOString(),
        confirmedAt: status === 'Accepted' ? this.decidedAt(record) : null,
        deletedAt:
          record.deletedAtMs === undefined ? null : new Date(record.deletedAtMs).toISOString(),
        receivedCount: this.receipts.get(record.completion.providerRecordId) ?? 0,
      };
    });
  }

  reset(): void {
    this.history.length = 0;
    this.latest.clear();
    this.receipts.clear();
    this.activities.clear();
    this.sequence = 0;
  }
}
