import type { DataSource } from 'typeorm';
import { eventually } from '../../../../test/support/eventually';
import { FIXTURE_NOW, FIXTURE_ZONE, LedgerFixture } from '../../../../test/support/ledger-fixture';
import { openReadModels } from '../data-source';
import { ProjectionWorker } from '../runner/projection-worker';
import { requestRebuild } from '../runner/projection-runner';
import { learnerCredits } from './learner-queries';
import { checkReadModels } from './read-models-check';

const research = (researchId: string) => ({
  type: 'RecordResearch' as const,
  data: { researchId, occurredAt: new Date('2026-11-01T10:00:00.000Z') },
});

describe('the read models against the log (what verify reports after a restore)', () => {
  let f: LedgerFixture;
  let ds: DataSource;
  beforeAll(async () => {
    f = await LedgerFixture.create('read_models_check');
    ds = await openReadModels(f.url);
  });
  afterAll(async () => {
    await ds.destroy();
    await f.close();
  });

  const byReader = async (head: bigint) =>
    new Map((await checkReadModels(ds, head)).readers.map((r) => [r.reader, r]));

  it('names a projection behind because no runner holds it, then at the head once one runs', async () => {
    await f.learner('check-1', research('r1'));
    const worker = new ProjectionWorker(ds, f.store, { retryMs: 50 });
    worker.start();
    let head = await f.headPosition();
    await eventually(async () =>
      expect((await byReader(head)).get('projection credit-balances')?.state).toBe('at-head'),
    );
    await worker.stop();
    await f.learner('check-1', research('r2'));
    head = await f.headPosition();
    const check = await checkReadModels(ds, head);
    expect(check).toEqual(expect.objectContaining({ ok: true, rebuildNeeded: false }));
    expect(check.readers).toContainEqual({
      reader: 'projection credit-balances',
      position: expect.any(String),
      state: 'behind',
      reason: expect.stringMatching(/not running: no API .* or worker holds its lease/),
      fix: 'start the API or npm run worker',
    });
  });

  it('says a rebuild is needed when a checkpoint is after the log, and the rebuild replaces those read models', async () => {
    const head = await f.headPosition();
    // Read models restored from another backup than the log: their checkpoint is beyond it.
    const beyond = head + (1n << 40n);
    await ds.query(
      `UPDATE projection_state SET live_position = $1 WHERE name = 'credit-balances'`,
      [beyond.toString()],
    );
    const check = await checkReadModels(ds, head);
    expect(check).toEqual(expect.objectContaining({ ok: false, rebuildNeeded: true }));
    expect((await byReader(head)).get('projection credit-balances')).toEqual(
      expect.objectContaining({
        state: 'ahead',
        reason: expect.stringMatching(/not made from this log/),
        fix: expect.stringMatching(/^npm run ledger -- rebuild credit-balances/),
      }),
    );

    const worker = new ProjectionWorker(ds, f.store, { retryMs: 50 });
    worker.start();
    try {
      expect(await requestRebuild(ds, 'credit-balances')).toBe(true);
      await eventually(
        async () => {
          const now = await f.headPosition();
          expect((await checkReadModels(ds, now)).rebuildNeeded).toBe(false);
        },
        { timeoutMs: 20000 },
      );
      // New events after the rebuild reach the read models (the live subscription follows on).
      await f.learner('check-1', research('r3'));
      const after = await f.headPosition();
      await eventually(async () =>
        expect((await byReader(after)).get('projection credit-balances')?.state).toBe('at-head'),
      );
      const credits = await learnerCredits(ds, 'check-1', {
        now: FIXTURE_NOW,
        timeZone: FIXTURE_ZONE,
      });
      expect(credits.activities.ipoc.earned.twelfths).toBe(18);
    } finally {
      await worker.stop();
    }
  });
});
