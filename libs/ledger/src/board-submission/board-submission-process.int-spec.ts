import { ParsBoardGateway } from '@ledger/boards';
import {
  boardSubmissionId,
  claimIdFor,
  type BoardSubmissionState,
  type LearnerCommand,
} from '@ledger/domain';
import { TEST_MAX_BACKDATE_MS, updateProfile } from '@ledger/domain/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../../../apps/pars-simulator/src/pars-simulator';
import { eventually } from '../../../../test/support/eventually';
import { FIXTURE_NOW, FIXTURE_ZONE, LedgerFixture } from '../../../../test/support/ledger-fixture';
import { BoardSubmissionEffectHandler } from './board-submission-effect-handler';
import { BoardSubmissionProcess } from './board-submission-process';
import { openBoardSubmissionCommandBus } from './board-submission-command-bus';
import { RecordBoardRecordDeletedCommand } from './board-submission-commands';
import type { ICommand } from '@nestjs/cqrs';
import type { INestApplicationContext } from '@nestjs/common';

const profile = (lastName: string, abimId: string, boards = ['ABIM', 'ABPMR']): LearnerCommand =>
  updateProfile({
    lastName,
    boards: boards.map((boardId) => ({
      boardId,
      learnerBoardId: boardId === 'ABIM' ? abimId : '4321',
    })),
    licenses: [],
    npi: undefined,
    occurredAt: new Date(FIXTURE_NOW.getTime() - 60_000),
  });

type Requested = Exclude<BoardSubmissionState, { status: 'not-requested' }>;

/** A learner record as the PARS simulator lists what it received (GET /admin/records). */
interface ParsRecord {
  board: string;
  submissionId: string;
  credits: string;
  mocPoints: string | null;
  completionDate: string;
  lastName: string;
  status: string;
  receivedCount: number;
}

/**
 * The board submission process against ACCME PARS over HTTP (R7, R8, R10, R16): the real PARS
 * gateway talks to the PARS simulator, and what PARS received is what the claim decided, with
 * the identity of claim time; a retry after a rejection sends the corrected profile. Credit is
 * from 2026: on FIXTURE_NOW (28 November 2026) PARS no longer takes 2025 completions.
 */
describe('the board submission process through PARS (R7, R8, R10, R16)', () => {
  let f: LedgerFixture;
  let dataSource: DataSource;
  let pars: RunningParsSimulator;
  let process: BoardSubmissionProcess;
  let commands: INestApplicationContext | undefined;
  /** A command the process fails to record once, as if it were killed just before. */
  let killBefore: ((command: ICommand) => boolean) | undefined;

  beforeAll(async () => {
    f = await LedgerFixture.create('board_process');
    dataSource = f.dataSource;
    // PARS knows no learner whose board id starts with 000.
    pars = await startParsSimulator({ port: 0, now: () => FIXTURE_NOW.getTime() });
  });
  afterAll(async () => {
    await process?.stop();
    await commands?.close();
    await pars.close();
    await f.close();
  });

  const startProcess = async (): Promise<void> => {
    if (commands !== undefined) return;
    const clock = () => FIXTURE_NOW;
    const bus = await openBoardSubmissionCommandBus({
      learnerCodec: f.learnerCodec,
      streams: f.executor,
      submissionCodec: f.submissionCodec,
      clock,
      settings: {
        timeZone: FIXTURE_ZONE,
        maxClockSkewMs: 60_000,
        maxBackdateMs: TEST_MAX_BACKDATE_MS,
      },
    });
    commands = bus.context;
    process = new BoardSubmissionProcess(
      dataSource,
      f.store,
      new BoardSubmissionEffectHandler({
        streams: f.executor,
        learnerCodec: f.learnerCodec,
        submissionCodec: f.submissionCodec,
        gateway: new ParsBoardGateway({
          baseUrl: pars.serviceUrl,
          providerId: 'P-0001',
          maxAttempts: 1,
          timeoutMs: 5_000,
        }),
        send: (command) => {
          if (killBefore?.(command)) {
            killBefore = undefined;
            return Promise.reject(new Error('the process stopped before recording the step'));
          }
          return bus.commandBus.execute(command);
        },
        clock,
      }),
      { acceptedSubmissions: async () => [], sweepIntervalMs: 60_000 },
    );
    process.start();
  };

  /** What PARS holds under a submission id (every record sent under it, rejected ones too). */
  const received = async (submissionId: string): Promise<ParsRecord[]> => {
    const response = await fetch(`${pars.url}/admin/records`);
    const { records } = (await response.json()) as { records: ParsRecord[] };
    return records.filter((record) => record.submissionId === submissionId);
  };

  /** The submission once it reaches `status` (a failure's reason is in the timeout's message). */
  const settled = (submissionId: string, status: Requested['status']): Promise<Requested> =>
    eventually(async () => {
      const state = await f.submissionState(submissionId);
      if (state.status === 'not-requested' || state.status !== status) {
        const why = state.status === 'failed' ? `: ${state.lastFailure?.reason}` : '';
        throw new Error(`${submissionId} is ${state.status}${why}`);
      }
      return state;
    });

  it('R7/R8/R10: the first submission sends the identity of claim time, though the profile was edited a second later; each board gets its own part and completion date; ABPMR is refused with its reason (A-9)', async () => {
    const learnerId = `bp-${randomUUID().slice(0, 8)}`;
    await f.profileWithConsent(learnerId, profile('Quinn', '123456'));
    // Credit from 2024 (before ABPMR takes any) and from 2026.
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r-2024', occurredAt: new Date('2024-11-05T10:00:00Z') },
    });
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r-2026', occurredAt: new Date('2026-02-05T10:00:00Z') },
    });
    const claimId = claimIdFor(learnerId, randomUUID());
    await f.learner(learnerId, {
      type: 'ClaimCredits',
      data: { claimId, activity: 'ipoc', occurredAt: new Date('2026-03-01T10:00:00Z') },
    });
    // A second later, the profile changes to a name and an id the board does not know.
    await f.profileWithConsent(learnerId, profile('Quinn-Hart', '000999'));

    await startProcess();
    const abim = boardSubmissionId(claimId, 'ABIM');
    const abpmr = boardSubmissionId(claimId, 'ABPMR');
    const abimState = await settled(abim, 'accepted');
    // PARS took the record, so it matched the id of claim time (000999 is refused), and the name.
    expect(await received(abim)).toEqual([
      expect.objectContaining({
        board: 'ABIM',
        lastName: 'Quinn',
        credits: '1.00',
        mocPoints: '1.00',
        completionDate: '2026-02-05',
        receivedCount: 1,
      }),
    ]);
    expect([abimState.twelfths, abimState.attempt]).toEqual([12n, 1]);
    // ABPMR takes credit earned from 2025 (R10): its part is the 2026 research only. PARS does
    // not report to ABPMR: the submission fails with that reason and PARS receives nothing.
    const abpmrState = await settled(abpmr, 'failed');
    expect([abpmrState.twelfths, abpmrState.completedAt?.toISOString()]).toEqual([
      6n,
      '2026-02-05T10:00:00.000Z',
    ]);
    expect(abpmrState.lastFailure?.reason).toBe(
      'ABPMR: ABPMR is not reached through ACCME PARS; the learner reports with the PDF certificate',
    );
    expect(await received(abpmr)).toEqual([]);
  });

  it('R16: after a rejection, the retry sends the corrected profile, as a new attempt', async () => {
    const learnerId = `bp-${randomUUID().slice(0, 8)}`;
    await f.profileWithConsent(learnerId, profile('Quinn', '000999', ['ABIM']));
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r-1', occurredAt: new Date('2026-02-05T10:00:00Z') },
    });
    const claimId = claimIdFor(learnerId, randomUUID());
    await f.learner(learnerId, {
      type: 'ClaimCredits',
      data: { claimId, activity: 'ipoc', occurredAt: new Date('2026-03-01T10:00:00Z') },
    });
    await startProcess();
    const submissionId = boardSubmissionId(claimId, 'ABIM');
    const failed = await settled(submissionId, 'failed');
    // PARS refused attempt 1 at once: it knows no ABIM learner 000999.
    expect(failed.lastFailure).toEqual(
      expect.objectContaining({
        attempt: 1,
        profileVersion: 1,
        reason: expect.stringContaining('ABIM has no learner with that ABIM ID'),
      }),
    );
    expect(await received(submissionId)).toEqual([]);
    // Unchanged, the retry is refused (R16); once corrected (profile version 2), it goes.
    const unchanged = await f.submission(submissionId, {
      type: 'RetryBoardSubmission',
      data: { occurredAt: FIXTURE_NOW, profileVersion: 1 },
    });
    expect(unchanged.refused).toBe('failure-not-retryable');
    await f.profileWithConsent(learnerId, profile('Quinn', '654321', ['ABIM']));
    await f.submission(submissionId, {
      type: 'RetryBoardSubmission',
      data: { occurredAt: FIXTURE_NOW, profileVersion: 2 },
    });
    const accepted = await settled(submissionId, 'accepted');
    expect([accepted.attempt, accepted.attemptProfileVersion]).toEqual([2, 2]);
    // Both attempts reached PARS under the one submission id; only the corrected one was taken.
    expect(await received(submissionId)).toEqual([
      expect.objectContaining({ board: 'ABIM', lastName: 'Quinn', receivedCount: 2 }),
    ]);
  });

  it('R8: a correction whose deletion PARS made but the process did not record is taken up again: deleted once more (a no-op), then sent once', async () => {
    const learnerId = `bp-${randomUUID().slice(0, 8)}`;
    await f.profileWithConsent(learnerId, profile('Quinn', '765432', ['ABIM']));
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r-1', occurredAt: new Date('2026-02-09T10:00:00Z') },
    });
    const claimId = claimIdFor(learnerId, randomUUID());
    await f.learner(learnerId, {
      type: 'ClaimCredits',
      data: { claimId, activity: 'ipoc', occurredAt: new Date('2026-03-01T10:00:00Z') },
    });
    await startProcess();
    const submissionId = boardSubmissionId(claimId, 'ABIM');
    await settled(submissionId, 'accepted');
    killBefore = (command) => command instanceof RecordBoardRecordDeletedCommand;

    await f.submission(submissionId, {
      type: 'CorrectBoardSubmission',
      data: { reason: 'record-details-wrong', occurredAt: FIXTURE_NOW, profileVersion: 1 },
    });

    const corrected = await eventually(
      async () => {
        const state = await settled(submissionId, 'accepted');
        if (state.attempt !== 2) throw new Error(`attempt ${state.attempt}`);
        return state;
      },
      { timeoutMs: 15_000 },
    );
    expect(killBefore).toBeUndefined(); // the interruption did happen
    expect(corrected.correction).toBeUndefined();
    // PARS: the first record deleted, one new record under the same id; two saves in all.
    expect(
      (await received(submissionId)).map((r) => [r.status, r.credits, r.receivedCount]),
    ).toEqual([
      ['Deleted', '0.50', 2],
      ['Pending', '0.50', 2],
    ]);
  });
});
