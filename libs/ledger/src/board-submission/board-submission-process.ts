import {
  boardSubmissionDecider,
  boardSubmissionId,
  boardSubmissionStreamName,
  formatCredits,
  floorToQuarter,
  foldLearner,
  learnerDecider,
  learnerStreamName,
  missingBoardFields,
  dueForFollowUpFlag,
  parseTwelfths,
  uuidV5,
  type ActiveBoardSubmission,
  type BoardSubmissionCommand,
  type BoardSubmissionEvent,
  type BoardSubmissionState,
  type LearnerEvent,
  type LearnerProfile,
  type PersonalData,
} from '@ledger/domain';
import type { BoardGateway, BoardLearnerIdentity } from '@ledger/boards';
import type { EventStore, RecordedEvent, Subscription } from '@ledger/event-store';
import type { Pool, PoolClient } from 'pg';
import {
  StreamCommandExecutor,
  type EventCodec,
} from '../command-handling/stream-command-executor';
import type { Clock, DecisionSettings } from '../ledger.tokens';

const PROCESS = 'board-submission-process';
/** Namespace of the process's command ids (derived from the causing event). Never change it. */
const PROCESS_NAMESPACE = '5d2a7e41-9c3b-4f6d-8a1e-7b0c2d9e4f35';

export interface BoardSubmissionProcessOptions {
  /** Ids of submissions the board accepted and has not confirmed (from the read models). */
  acceptedSubmissions: () => Promise<string[]>;
  /** How often accepted submissions are checked for the board's confirmation (R9). */
  sweepIntervalMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * The board submission process (R8, R9, R16). On `CreditClaimed` it requests a submission for
 * every board of the claim's snapshot (failing it at once when the profile lacks what that
 * board needs); on every requested attempt it calls the board and records the outcome; a
 * sweep records the board's confirmation, or flags a submission not confirmed 24 hours after
 * acceptance. Each step is recorded before and after the outside call, and every command's id
 * derives from the event that caused it: a process killed anywhere and restarted redoes the
 * step it was in, the board gets the same submission id (its idempotency key), and nothing is
 * recorded twice. One instance runs at a time (an advisory-lock lease).
 */
export class BoardSubmissionProcess {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private lease: PoolClient | undefined;
  private subscription: Subscription | undefined;
  private wake: (() => void) | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly pool: Pool,
    private readonly executor: StreamCommandExecutor,
    private readonly learnerCodec: EventCodec<LearnerEvent>,
    private readonly submissionCodec: EventCodec<BoardSubmissionEvent>,
    private readonly gateway: BoardGateway,
    private readonly clock: Clock,
    private readonly settings: DecisionSettings,
    private readonly options: BoardSubmissionProcessOptions,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.subscription?.stop();
    await this.loop;
  }

  private log(message: string, fields: Record<string, unknown> = {}): void {
    this.options.log?.(message, { process: PROCESS, ...fields });
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        if (await this.acquireLease()) await this.follow();
      } catch (error) {
        this.log('board submission process interrupted', { error: (error as Error).message });
      } finally {
        await this.releaseLease();
      }
      if (!this.stopped) await this.sleep(1000);
    }
  }

  private async acquireLease(): Promise<boolean> {
    const client = await this.pool.connect();
    const { rows } = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtext($1)) AS locked',
      [`cme-ledger/process/${PROCESS}`],
    );
    if (!rows[0]?.locked) {
      client.release();
      return false;
    }
    client.on('error', () => undefined);
    this.lease = client;
    return true;
  }

  private async releaseLease(): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    if (!lease) return;
    await lease
      .query('SELECT pg_advisory_unlock(hashtext($1))', [`cme-ledger/process/${PROCESS}`])
      .catch(() => undefined);
    lease.release();
  }

  private async follow(): Promise<void> {
    const { rows } = await this.pool.query<{ position: string }>(
      'SELECT position::text FROM process_checkpoints WHERE name = $1',
      [PROCESS],
    );
    const after = BigInt(rows[0]?.position ?? '0');
    let failure: unknown;
    const subscription = this.store.subscribeToAll(
      async (events) => {
        for (const event of events) await this.handle(event);
        const last = events[events.length - 1];
        if (last) {
          await this.pool.query(
            `INSERT INTO process_checkpoints (name, position) VALUES ($1, $2)
             ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
            [PROCESS, last.position.toString()],
          );
        }
      },
      { after, batchSize: 100 },
    );
    this.subscription = subscription;
    subscription.done.catch((error: unknown) => {
      failure = error;
      this.wake?.();
    });
    let nextSweep = 0;
    while (!this.stopped && failure === undefined) {
      if (Date.now() >= nextSweep && subscription.live) {
        await this.sweep();
        nextSweep = Date.now() + (this.options.sweepIntervalMs ?? 60_000);
      }
      await this.sleep(Math.min(1000, this.options.sweepIntervalMs ?? 1000));
    }
    await subscription.stop();
    if (failure !== undefined) throw failure;
  }

  private async handle(recorded: RecordedEvent): Promise<void> {
    if (recorded.type === 'CreditClaimed' && recorded.streamName.startsWith('learner-')) {
      await this.requestSubmissions(recorded);
    } else if (
      (recorded.type === 'BoardSubmissionRequested' ||
        recorded.type === 'BoardSubmissionRetryRequested') &&
      recorded.streamName.startsWith('board-submission-')
    ) {
      const event = await this.submissionCodec.decode(recorded);
      if (
        event &&
        (event.type === 'BoardSubmissionRequested' ||
          event.type === 'BoardSubmissionRetryRequested')
      ) {
        await this.submit(event.data.submissionId, event.data.attempt, recorded);
      }
    }
  }

  /**
   * R8/R16: one submission per board of the claim, with what the claim decided that board
   * receives; the identity checked is the claim's snapshot (R7: a profile change after the
   * claim affects later claims only), and incomplete board data fails it at once.
   */
  private async requestSubmissions(recorded: RecordedEvent): Promise<void> {
    const learnerId = recorded.streamName.slice('learner-'.length);
    const claim = await this.learnerCodec.decode(recorded);
    if (!claim || claim.type !== 'CreditClaimed') return;
    const { data } = claim;
    // Claims recorded before the snapshot existed: the profile as it stood at the claim.
    const identity =
      data.personal ?? (await this.profileAt(learnerId, recorded.revision))?.personal;
    const submissions =
      data.submissions ??
      data.boards.map((board) => ({ board, twelfths: data.twelfths, completedAt: undefined }));
    for (const { board, twelfths, completedAt } of submissions) {
      const submissionId = boardSubmissionId(data.claimId, board);
      await this.command(submissionId, `request/${recorded.id}/${board}`, {
        type: 'RequestBoardSubmission',
        data: {
          submissionId,
          learnerId,
          claimId: data.claimId,
          board,
          activity: data.activity,
          twelfths: parseTwelfths(twelfths),
          claimedAt: new Date(data.occurredAt),
          occurredAt: this.clock(),
          profileGaps: missingBoardFields(board, { personal: identity }),
          profileVersion: data.profileVersion,
          ...(completedAt === undefined ? {} : { completedAt: new Date(completedAt) }),
        },
      });
    }
  }

  /**
   * What an attempt sends: attempt 1 the claim's identity snapshot (R7), a retry the learner's
   * current profile (R16: after the learner corrected it), with the profile version each is.
   */
  private async identityFor(
    submission: ActiveBoardSubmission,
  ): Promise<{ personal: PersonalData | undefined; profileVersion: number | undefined }> {
    const { state: learner } = await this.executor.state(
      learnerStreamName(submission.learnerId),
      learnerDecider,
      this.learnerCodec,
    );
    if (submission.attempt === 1) {
      const claim = learner.claims.get(submission.claimId);
      return { personal: claim?.identity, profileVersion: claim?.profileVersion };
    }
    return { personal: learner.profile?.personal, profileVersion: learner.profile?.version };
  }

  /** Calls the board for one attempt (unless it already ended) and records the outcome. */
  private async submit(submissionId: string, attempt: number, cause: RecordedEvent): Promise<void> {
    const { state } = await this.executor.state(
      boardSubmissionStreamName(submissionId),
      boardSubmissionDecider,
      this.submissionCodec,
    );
    if (state.status !== 'requested' || state.attempt !== attempt) return;
    const { personal, profileVersion } = await this.identityFor(state);
    const gaps = missingBoardFields(state.board, { personal });
    const step = `outcome/${cause.id}`;
    if (gaps.length > 0 || personal === undefined) {
      await this.command(submissionId, step, {
        type: 'RecordSubmissionFailed',
        data: {
          reason: gaps.join('; ') || 'the CME profile is missing',
          retryable: true,
          occurredAt: this.clock(),
          ...(profileVersion === undefined ? {} : { profileVersion }),
        },
      });
      return;
    }
    const result = await this.gateway.submit({
      submissionId,
      board: state.board,
      attempt,
      learner: identityOf(personal, state.board),
      activity: state.activity,
      twelfths: state.twelfths.toString(),
      credits: formatCredits(floorToQuarter(state.twelfths)),
      // R8: when the learner completed the credit reported (the claim, for older submissions).
      completedAt: (state.completedAt ?? state.claimedAt).toISOString(),
    });
    this.log('board answered', {
      submissionId,
      board: state.board,
      attempt,
      outcome: result.outcome,
    });
    await this.command(
      submissionId,
      step,
      result.outcome === 'accepted'
        ? { type: 'RecordSubmissionAccepted', data: { occurredAt: this.clock() } }
        : {
            type: 'RecordSubmissionFailed',
            data: {
              reason: `${state.board}: ${result.reason}`,
              retryable: result.outcome === 'unavailable',
              occurredAt: this.clock(),
              ...(profileVersion === undefined ? {} : { profileVersion }),
            },
          },
    );
  }

  /** R9: confirmations, and follow-up flags for accepted submissions the board has not confirmed after 24 h. */
  async sweep(): Promise<void> {
    for (const submissionId of await this.options.acceptedSubmissions()) {
      const { state } = await this.executor.state(
        boardSubmissionStreamName(submissionId),
        boardSubmissionDecider,
        this.submissionCodec,
      );
      if (state.status !== 'accepted') continue;
      try {
        const status = await this.gateway.recordStatus(state.board, submissionId);
        if (status.confirmed) {
          await this.command(submissionId, `confirm/${submissionId}`, {
            type: 'ConfirmBoardRecord',
            data: { occurredAt: status.confirmedAt ? new Date(status.confirmedAt) : this.clock() },
          });
          continue;
        }
      } catch (error) {
        this.log('board status unavailable', { submissionId, error: (error as Error).message });
      }
      if (dueForFollowUpFlag(state, this.clock())) {
        await this.command(submissionId, `follow-up/${submissionId}`, {
          type: 'FlagForFollowUp',
          data: { occurredAt: this.clock() },
        });
      }
    }
  }

  private async profileAt(
    learnerId: string,
    revision?: bigint,
  ): Promise<LearnerProfile | undefined> {
    if (revision === undefined) {
      return (
        await this.executor.state(learnerStreamName(learnerId), learnerDecider, this.learnerCodec)
      ).state.profile;
    }
    const recorded = await this.store.readStream(learnerStreamName(learnerId), {
      maxCount: Number(revision) + 1,
    });
    const events: LearnerEvent[] = [];
    for (const r of recorded) {
      const e = await this.learnerCodec.decode(r);
      if (e) events.push(e);
    }
    return foldLearner(events).profile;
  }

  private async command(
    submissionId: string,
    step: string,
    command: BoardSubmissionCommand,
  ): Promise<BoardSubmissionState> {
    try {
      const outcome = await this.executor.execute({
        streamName: boardSubmissionStreamName(submissionId),
        decider: boardSubmissionDecider,
        codec: this.submissionCodec,
        command,
        context: () => ({ now: this.clock(), ...this.settings }),
        metadata: {
          actor: `process:${PROCESS}`,
          correlationId: submissionId,
          commandId: uuidV5(step, PROCESS_NAMESPACE),
        },
      });
      return outcome.state;
    } catch (error) {
      // A rule refusal here means the step was already taken (or overtaken): nothing to do.
      if ((error as { name?: string }).name === 'DomainRuleViolation') {
        this.log('step refused by the submission rules', {
          submissionId,
          step,
          error: (error as Error).message,
        });
        return (
          await this.executor.state(
            boardSubmissionStreamName(submissionId),
            boardSubmissionDecider,
            this.submissionCodec,
          )
        ).state;
      }
      throw error;
    }
  }

  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}

/** What the board needs to match the learner (decrypted just in time, never stored elsewhere). */
function identityOf(p: PersonalData, board: string): BoardLearnerIdentity {
  const learnerBoardId = p.boardIds[board];
  return {
    ...(learnerBoardId ? { learnerBoardId } : {}),
    firstName: p.firstName,
    lastName: p.lastName,
    birthMonth: p.birthMonth,
    birthDay: p.birthDay,
    licenses: p.licenses.map((l) => ({ state: l.state, licenseNumber: l.licenseNumber })),
    ...(p.npi ? { npi: p.npi } : {}),
  };
}
