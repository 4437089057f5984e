import { ParsBoardGateway } from '@ledger/boards';
import { LEARNER_MATCH_PROCESS, learnerStreamName } from '@ledger/domain';
import { TEST_MAX_BACKDATE_MS, updateProfile } from '@ledger/domain/testing';
import type { INestApplicationContext } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../../../apps/pars-simulator/src/pars-simulator';
import { eventually } from '../../../../test/support/eventually';
import { FIXTURE_NOW, FIXTURE_ZONE, LedgerFixture } from '../../../../test/support/ledger-fixture';
import { openBoardSubmissionCommandBus } from '../board-submission/board-submission-command-bus';
import { LearnerMatchEffectHandler } from './learner-match-effect-handler';
import { LearnerMatchProcess } from './learner-match-process';

/**
 * The learner match process against ACCME PARS over HTTP (R16): the real PARS gateway asks the
 * PARS simulator's `LearnerMatchRequest`, and the answer lands in the learner's stream once, an
 * outage records nothing until PARS is back, and a process started over from position zero
 * asks and records nothing twice.
 */
describe('the learner match process through PARS (R16)', () => {
  let f: LedgerFixture;
  let dataSource: DataSource;
  let pars: RunningParsSimulator;
  let commands: INestApplicationContext;
  let process: LearnerMatchProcess | undefined;
  const logged: { message: string; fields: Record<string, unknown> }[] = [];
  let startProcess: () => void = () => undefined;

  beforeAll(async () => {
    f = await LedgerFixture.create('learner_match');
    dataSource = await new DataSource({ type: 'postgres', url: f.url, poolSize: 4 }).initialize();
    pars = await startParsSimulator({ port: 0, now: () => FIXTURE_NOW.getTime() });
    const bus = await openBoardSubmissionCommandBus({
      streams: f.executor,
      submissionCodec: f.submissionCodec,
      learnerCodec: f.learnerCodec,
      clock: () => FIXTURE_NOW,
      settings: {
        timeZone: FIXTURE_ZONE,
        maxClockSkewMs: 60_000,
        maxBackdateMs: TEST_MAX_BACKDATE_MS,
      },
    });
    commands = bus.context;
    const log = (message: string, fields: Record<string, unknown> = {}): void => {
      logged.push({ message, fields });
    };
    const effects = new LearnerMatchEffectHandler({
      streams: f.executor,
      learnerCodec: f.learnerCodec,
      gateway: new ParsBoardGateway({
        baseUrl: pars.serviceUrl,
        providerId: 'P-0001',
        maxAttempts: 1,
        timeoutMs: 5_000,
      }),
      send: (command) => bus.commandBus.execute(command),
      clock: () => FIXTURE_NOW,
      log,
    });
    startProcess = () => {
      process = new LearnerMatchProcess(dataSource, f.store, effects, { retryMs: 100, log });
      process.start();
    };
  });
  afterAll(async () => {
    await process?.stop();
    await commands.close();
    await pars.close();
    await dataSource.destroy();
    await f.close();
  });

  const faults = (body: Record<string, unknown>) =>
    fetch(`${pars.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const profile = (abimId: string) =>
    updateProfile({
      boards: [{ boardId: 'ABIM', learnerBoardId: abimId }],
      licenses: [],
      npi: undefined,
      occurredAt: new Date(FIXTURE_NOW.getTime() - 60_000),
    });

  /** The identity checks recorded in the learner's stream, as stored. */
  const checks = async (learnerId: string) =>
    (await f.store.readStream(learnerStreamName(learnerId)))
      .filter((e) => e.type === 'LearnerBoardIdentityChecked')
      .map((e) => e.data);

  const checkpoint = async (): Promise<bigint> => {
    const rows = (await dataSource.query(
      'SELECT position::text FROM process_checkpoints WHERE name = $1',
      [LEARNER_MATCH_PROCESS],
    )) as { position: string }[];
    return BigInt(rows[0]?.position ?? '0');
  };

  it('R16: an outage records nothing (never a mismatch); once PARS is back, the answer is recorded', async () => {
    await faults({ outage: true });
    const learnerId = `lm-${randomUUID().slice(0, 8)}`;
    await f.learner(learnerId, profile('123456'));
    startProcess();
    await eventually(async () => {
      const met = logged.some(
        (l) => l.fields.learnerId === learnerId && l.fields.outcome === 'unavailable',
      );
      if (!met) throw new Error('the process has not met the outage yet');
    });
    expect(await checks(learnerId)).toEqual([]);
    await faults({ outage: false });
    const recorded = await eventually(async () => {
      const found = await checks(learnerId);
      if (found.length === 0) throw new Error('no answer recorded yet');
      return found;
    });
    expect(recorded).toEqual([
      expect.objectContaining({ board: 'ABIM', outcome: 'matched', profileVersion: 1 }),
    ]);
  });

  it('R16: a mismatch is recorded with the reason; started over from position zero, nothing is asked or recorded twice', async () => {
    const learnerId = `lm-${randomUUID().slice(0, 8)}`;
    const played = await f.learner(learnerId, profile('000777'));
    const mismatch = await eventually(async () => {
      const found = await checks(learnerId);
      if (found.length === 0) throw new Error('no answer recorded yet');
      return found;
    });
    expect(mismatch).toEqual([
      expect.objectContaining({
        board: 'ABIM',
        outcome: 'mismatched',
        reason: expect.stringMatching(/^ABIM: ABIM has no learner with that ABIM ID/),
      }),
    ]);
    await eventually(async () => {
      if ((await checkpoint()) < played.position!) throw new Error('not past the profile yet');
    });
    // Every profile event again, from the start of the log.
    await process!.stop();
    await dataSource.query('UPDATE process_checkpoints SET position = 0 WHERE name = $1', [
      LEARNER_MATCH_PROCESS,
    ]);
    const askedBefore = logged.filter(
      (l) => l.message === 'board answered the learner match',
    ).length;
    startProcess();
    await eventually(async () => {
      if ((await checkpoint()) < played.position!) throw new Error('not past the profile yet');
    });
    expect(await checks(learnerId)).toHaveLength(1);
    expect(logged.filter((l) => l.message === 'board answered the learner match')).toHaveLength(
      askedBefore,
    );
  });
});
