import { HttpBoardGateway, type BoardSubmissionRequest } from '@ledger/boards';
import { boardSubmissionId, claimIdFor, type LearnerCommand } from '@ledger/domain';
import { TEST_MAX_BACKDATE_MS, updateProfile } from '@ledger/domain/testing';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  startScriptedBoardServer,
  type ScriptedBoardServer,
} from '../../../boards/src/testing/scripted-board-server';
import { eventually } from '../../../../test/support/eventually';
import { FIXTURE_NOW, FIXTURE_ZONE, LedgerFixture } from '../../../../test/support/ledger-fixture';
import { BoardSubmissionEffectHandler } from './board-submission-effect-handler';
import { BoardSubmissionProcess } from './board-submission-process';
import {
  ExecuteBoardSubmissionCommand,
  ExecuteBoardSubmissionCommandHandler,
} from './execute-board-submission-command';

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

/**
 * The board submission process against a board over HTTP (R7, R8, R10, R16): what the board
 * receives is what the claim decided, with the identity of claim time; a retry after a
 * rejection sends the corrected profile.
 */
describe('the board submission process (R7, R8, R10, R16)', () => {
  let f: LedgerFixture;
  let dataSource: DataSource;
  let board: ScriptedBoardServer;
  let process: BoardSubmissionProcess;
  /** ABIM refuses the learner it knows only under the corrected id 654321 … unless told otherwise. */
  const refusedIds = new Set<string>(['000999']);

  beforeAll(async () => {
    f = await LedgerFixture.create('board_process');
    dataSource = await new DataSource({ type: 'postgres', url: f.url, poolSize: 4 }).initialize();
    board = await startScriptedBoardServer((request) => {
      const body = request.body as BoardSubmissionRequest;
      return refusedIds.has(body.learner.learnerBoardId ?? '')
        ? { status: 422, body: { reason: 'unknown learner' } }
        : { status: 201, body: { boardRecordId: `rec-${body.submissionId}`, status: 'accepted' } };
    });
  });
  afterAll(async () => {
    await process?.stop();
    await board.close();
    await dataSource.destroy();
    await f.close();
  });

  const startProcess = (): void => {
    const clock = () => FIXTURE_NOW;
    const handler = new ExecuteBoardSubmissionCommandHandler(f.executor, f.submissionCodec, clock, {
      timeZone: FIXTURE_ZONE,
      maxClockSkewMs: 60_000,
      maxBackdateMs: TEST_MAX_BACKDATE_MS,
    });
    process = new BoardSubmissionProcess(
      dataSource,
      f.store,
      new BoardSubmissionEffectHandler({
        streams: f.executor,
        learnerCodec: f.learnerCodec,
        submissionCodec: f.submissionCodec,
        gateway: new HttpBoardGateway({ baseUrl: board.url, maxAttempts: 1 }),
        send: async (command) => handler.execute(command as ExecuteBoardSubmissionCommand),
        clock,
      }),
      { acceptedSubmissions: async () => [], sweepIntervalMs: 60_000 },
    );
    process.start();
  };

  const sent = (submissionId: string): BoardSubmissionRequest[] =>
    board.requests
      .map((r) => r.body as BoardSubmissionRequest)
      .filter((b) => b.submissionId === submissionId);

  it('R7/R8/R10: the first submission sends the identity of claim time, though the profile was edited a second later; each board gets its own part and completion date', async () => {
    const learnerId = `bp-${randomUUID().slice(0, 8)}`;
    await f.learner(learnerId, profile('Quinn', '123456'));
    // Credit from 2024 (before ABPMR takes any) and from 2025.
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r-2024', occurredAt: new Date('2024-11-05T10:00:00Z') },
    });
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r-2025', occurredAt: new Date('2025-02-05T10:00:00Z') },
    });
    const claimId = claimIdFor(learnerId, randomUUID());
    await f.learner(learnerId, {
      type: 'ClaimCredits',
      data: { claimId, activity: 'ipoc', occurredAt: new Date('2025-03-01T10:00:00Z') },
    });
    // A second later, the profile changes to an id the board does not know.
    await f.learner(learnerId, profile('Quinn-Hart', '000999'));

    startProcess();
    const abim = boardSubmissionId(claimId, 'ABIM');
    const abpmr = boardSubmissionId(claimId, 'ABPMR');
    await eventually(async () => {
      for (const id of [abim, abpmr]) {
        const state = await f.submissionState(id);
        if (state.status !== 'accepted') throw new Error(`${id} is ${state.status}`);
      }
    });
    const [toAbim] = sent(abim);
    const [toAbpmr] = sent(abpmr);
    expect(toAbim?.learner).toEqual(
      expect.objectContaining({ learnerBoardId: '123456', lastName: 'Quinn' }),
    );
    expect([toAbim?.twelfths, toAbim?.credits, toAbim?.completedAt]).toEqual([
      '12',
      '1.00',
      '2025-02-05T10:00:00.000Z',
    ]);
    // ABPMR takes credit earned from 2025 (R10): the 2025 research only.
    expect([toAbpmr?.twelfths, toAbpmr?.credits, toAbpmr?.completedAt]).toEqual([
      '6',
      '0.50',
      '2025-02-05T10:00:00.000Z',
    ]);
  });

  it('R16: after a rejection, the retry sends the corrected profile, as a new attempt', async () => {
    const learnerId = `bp-${randomUUID().slice(0, 8)}`;
    await f.learner(learnerId, profile('Quinn', '000999', ['ABIM']));
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r-1', occurredAt: new Date('2025-02-05T10:00:00Z') },
    });
    const claimId = claimIdFor(learnerId, randomUUID());
    await f.learner(learnerId, {
      type: 'ClaimCredits',
      data: { claimId, activity: 'ipoc', occurredAt: new Date('2025-03-01T10:00:00Z') },
    });
    const submissionId = boardSubmissionId(claimId, 'ABIM');
    await eventually(async () => {
      const state = await f.submissionState(submissionId);
      if (state.status !== 'failed') throw new Error(`still ${state.status}`);
    });
    // Unchanged, the retry is refused (R16); once corrected (profile version 2), it goes.
    const unchanged = await f.submission(submissionId, {
      type: 'RetryBoardSubmission',
      data: { occurredAt: FIXTURE_NOW, profileVersion: 1 },
    });
    expect(unchanged.refused).toBe('failure-not-retryable');
    await f.learner(learnerId, profile('Quinn', '654321', ['ABIM']));
    await f.submission(submissionId, {
      type: 'RetryBoardSubmission',
      data: { occurredAt: FIXTURE_NOW, profileVersion: 2 },
    });
    await eventually(async () => {
      const state = await f.submissionState(submissionId);
      if (state.status !== 'accepted') throw new Error(`still ${state.status}`);
    });
    expect(sent(submissionId).map((b) => [b.attempt, b.learner.learnerBoardId])).toEqual([
      [1, '000999'],
      [2, '654321'],
    ]);
  });
});
