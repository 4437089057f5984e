import {
  boardSubmissionDecider,
  boardSubmissionStreamName,
  claimTag,
  currentCreditTotals,
  learnerDecider,
  learnerStreamName,
  mocPoints,
  amountView,
  isDomainRuleViolation,
  ACTIVITIES,
  type BoardSubmissionCommand,
  type BoardSubmissionState,
  type LearnerCommand,
  type LearnerState,
} from '@ledger/domain';
import { TEST_MAX_BACKDATE_MS } from '@ledger/domain/testing';
import { PostgresEventStore } from '@ledger/event-store';
import {
  boardSubmissionEventCodec,
  learnerEventCodec,
  PersonalDataCipher,
  StreamCommandExecutor,
  type EventCodec,
  type StreamDecider,
} from '@ledger/ledger';
import { poolOf } from '@ledger/read-models';
import { openLedgerDataSource } from '@ledger/runtime';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import { freshDatabase } from './test-database';

/** What a command came to: where its events went, or the rule that refused it. */
export interface Played {
  position: bigint | undefined;
  refused?: string;
}

export const FIXTURE_NOW = new Date('2026-11-28T12:00:00Z');
export const FIXTURE_ZONE = 'UTC';

/** A ledger on a fresh database, driven through the real command executor (no HTTP). */
export class LedgerFixture {
  readonly executor: StreamCommandExecutor;
  readonly learnerCodec;
  readonly submissionCodec = boardSubmissionEventCodec();
  readonly learners = new Set<string>();
  readonly submissions = new Set<string>();

  private constructor(
    readonly url: string,
    readonly store: PostgresEventStore,
    /** The TypeORM data source, as a process opens it (operational tables migrated). */
    readonly dataSource: DataSource,
    private readonly drop: () => Promise<void>,
  ) {
    this.executor = new StreamCommandExecutor(store);
    this.learnerCodec = learnerEventCodec(new PersonalDataCipher(dataSource, Buffer.alloc(32, 7)));
  }

  /** The data source's pool. */
  get pool(): Pool {
    return poolOf(this.dataSource);
  }

  static async create(label: string): Promise<LedgerFixture> {
    const db = await freshDatabase(label);
    const store = await PostgresEventStore.create({ connectionString: db.url, pollIntervalMs: 20 });
    const dataSource = await openLedgerDataSource(db.url, { poolSize: 6 });
    // An idle client whose server ended it (the database dropped at the end) must not crash the run.
    poolOf(dataSource).on('error', () => undefined);
    return new LedgerFixture(db.url, store, dataSource, db.drop);
  }

  /** The fixture dates facts years before FIXTURE_NOW (claim windows span three years). */
  private context = () => ({
    now: FIXTURE_NOW,
    timeZone: FIXTURE_ZONE,
    maxClockSkewMs: 60_000,
    maxBackdateMs: TEST_MAX_BACKDATE_MS,
  });

  /** Runs a learner command; a rule refusal is returned, not thrown (random sequences make many). */
  learner(learnerId: string, command: LearnerCommand): Promise<Played> {
    this.learners.add(learnerId);
    return this.play(learnerStreamName(learnerId), learnerDecider, this.learnerCodec, command);
  }

  submission(submissionId: string, command: BoardSubmissionCommand): Promise<Played> {
    this.submissions.add(submissionId);
    return this.play(
      boardSubmissionStreamName(submissionId),
      boardSubmissionDecider,
      this.submissionCodec,
      command,
    );
  }

  private async play<S, C, E>(
    streamName: string,
    decider: StreamDecider<S, C, E, ReturnType<LedgerFixture['context']>>,
    codec: EventCodec<E>,
    command: C,
  ): Promise<Played> {
    try {
      const outcome = await this.executor.execute({
        streamName,
        decider,
        codec,
        command,
        context: this.context,
        metadata: { actor: 'test', correlationId: 'fixture', commandId: randomUUID() },
      });
      return { position: outcome.position };
    } catch (error) {
      if (isDomainRuleViolation(error)) return { position: undefined, refused: error.code };
      throw error;
    }
  }

  async learnerState(learnerId: string): Promise<LearnerState> {
    return (
      await new StreamCommandExecutor(this.store).state(
        learnerStreamName(learnerId),
        learnerDecider,
        this.learnerCodec,
      )
    ).state;
  }

  async submissionState(submissionId: string): Promise<BoardSubmissionState> {
    return (
      await new StreamCommandExecutor(this.store).state(
        boardSubmissionStreamName(submissionId),
        boardSubmissionDecider,
        this.submissionCodec,
      )
    ).state;
  }

  /** What the pure domain fold of the log says a learner's credits and claims are. */
  async expected(learnerId: string): Promise<{
    activities: Record<string, Record<string, { credits: string; twelfths: number }>>;
    mocTotal: { credits: string; twelfths: number };
    claims: {
      claimId: string;
      tag: string;
      claimed: { credits: string; twelfths: number };
      statuses: Record<string, string>;
    }[];
  }> {
    const state = await this.learnerState(learnerId);
    const totals = currentCreditTotals(state, FIXTURE_NOW, FIXTURE_ZONE);
    const activities: Record<string, Record<string, { credits: string; twelfths: number }>> = {};
    for (const activity of ACTIVITIES) {
      const t = totals[activity];
      activities[activity] = {
        earned: amountView(t.earned, activity),
        claimed: amountView(t.claimed, activity),
        unclaimed: amountView(t.unclaimed, activity),
        expired: amountView(t.expired, activity),
      };
    }
    const submissionStates: BoardSubmissionState[] = [];
    for (const id of this.submissions) {
      const s = await this.submissionState(id);
      if (s.status !== 'not-requested' && s.learnerId === learnerId) submissionStates.push(s);
    }
    const accepted = submissionStates.filter(
      (s) => s.status === 'accepted' || s.status === 'confirmed',
    );
    const moc = mocPoints(
      accepted.flatMap((s) => {
        const claim = s.status === 'not-requested' ? undefined : state.claims.get(s.claimId);
        return s.status === 'not-requested' || claim === undefined
          ? []
          : [
              {
                board: s.board,
                claimId: s.claimId,
                certificate: claim.certificate,
                twelfths: s.twelfths,
              },
            ];
      }),
    );
    const claims = [...state.claims.values()].map((c) => {
      const mine = submissionStates.filter(
        (s) => s.status !== 'not-requested' && s.claimId === c.claimId,
      );
      return {
        claimId: c.claimId,
        tag: claimTag(
          c.boards,
          mine.map((s) =>
            s.status === 'not-requested'
              ? { board: '', status: 'requested' as const }
              : { board: s.board, status: s.status },
          ),
        ),
        claimed: amountView(c.twelfths, c.activity),
        statuses: Object.fromEntries(
          mine.map((s) => (s.status === 'not-requested' ? ['', ''] : [s.board, s.status])),
        ),
      };
    });
    return { activities, mocTotal: amountView(moc.total, 'ipoc'), claims };
  }

  async headPosition(): Promise<bigint> {
    const { rows } = await this.pool.query<{ p: string | null }>(
      'SELECT max(position)::text AS p FROM events',
    );
    return BigInt(rows[0]?.p ?? '0');
  }

  async close(): Promise<void> {
    await this.store.close();
    await this.dataSource.destroy();
    await this.drop();
  }
}
