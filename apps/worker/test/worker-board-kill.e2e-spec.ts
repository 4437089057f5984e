import { randomUUID } from 'node:crypto';
import { boardSubmissionId } from '@ledger/domain';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../pars-simulator/src/pars-simulator';
import { eventually } from '../../../test/support/eventually';
import { LedgerFixture } from '../../../test/support/ledger-fixture';
import { startProcess } from '../../../test/support/processes';
import { updateProfile } from '@ledger/domain/testing';

describe('the worker killed with SIGKILL during a board submission', () => {
  let f: LedgerFixture;
  let sim: RunningParsSimulator;
  beforeAll(async () => {
    f = await LedgerFixture.create('board_kill');
    sim = await startParsSimulator({ port: 0, decideAfterMs: 60_000 });
  });
  afterAll(async () => {
    await sim.close();
    await f.close();
  });

  const faults = (body: Record<string, unknown>) =>
    fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('restarted, ends with exactly one accepted record at the board', async () => {
    const boardRecords = async () => {
      const res = await fetch(`${sim.url}/admin/records`);
      const { records } = (await res.json()) as {
        records: { submissionId: string; receivedCount: number }[];
      };
      return records.filter((r) => r.submissionId === submissionId);
    };
    const learnerId = `kill-${randomUUID().slice(0, 8)}`;
    await f.profileWithConsent(
      learnerId,
      updateProfile({ licenses: [], npi: undefined, occurredAt: new Date('2026-01-01T00:00:00Z') }),
    );
    await f.learner(learnerId, {
      type: 'RecordResearch',
      data: { researchId: 'r1', occurredAt: new Date('2026-02-01T00:00:00Z') },
    });
    const claimId = randomUUID();
    await f.learner(learnerId, {
      type: 'ClaimCredits',
      data: { claimId, activity: 'ipoc', occurredAt: new Date('2026-02-02T00:00:00Z') },
    });
    const submissionId = boardSubmissionId(claimId, 'ABIM');
    const env = {
      DATABASE_URL: f.url,
      BOARD_GATEWAY_URL: sim.serviceUrl,
      LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      BOARD_SWEEP_INTERVAL_MS: '500',
    };
    // The board records the call but holds its answer: the worker is killed while its call is
    // in flight, after the board has it (what makes a resubmission a possible duplicate).
    await faults({ hold: true });
    const first = startProcess('worker', env);
    try {
      await first.waitForOutput(/cme-ledger worker started/);
      await eventually(async () => {
        first.assertRunning();
        expect(await boardRecords()).toHaveLength(1);
      });
    } finally {
      await first.kill('SIGKILL');
    }
    expect((await f.submissionState(submissionId)).status).toBe('requested');
    await faults({ hold: false });
    const second = startProcess('worker', env);
    try {
      await second.waitForOutput(/cme-ledger worker started/);
      await eventually(async () => {
        second.assertRunning();
        const state = await f.submissionState(submissionId);
        if (state.status !== 'accepted' && state.status !== 'confirmed')
          throw new Error(`status ${state.status}`);
      });
    } finally {
      await second.kill('SIGTERM');
    }
    expect(await boardRecords()).toHaveLength(1);
    const history = await f.store.readStream(`board-submission-${submissionId}`);
    expect(history.map((e) => e.type)).toEqual([
      'BoardSubmissionRequested',
      'BoardSubmissionSucceeded',
    ]);
    // This bounds a hang only: two cold starts of the worker on a loaded machine.
  }, 180_000);
});
