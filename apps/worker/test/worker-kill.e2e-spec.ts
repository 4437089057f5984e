import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { openReadModels } from '@ledger/read-models';
import { learnerCredits } from '@ledger/read-models';
import { eventually } from '../../../test/support/eventually';
import { FIXTURE_NOW, FIXTURE_ZONE, LedgerFixture } from '../../../test/support/ledger-fixture';
import { startProcess, type RunningProcess } from '../../../test/support/processes';
import { updateProfile } from '@ledger/domain/testing';

describe('the worker killed with SIGKILL mid-batch and restarted', () => {
  let f: LedgerFixture;
  let ds: DataSource;
  const learners = Array.from({ length: 20 }, () => `k-${randomUUID().slice(0, 8)}`);

  beforeAll(async () => {
    f = await LedgerFixture.create('worker_kill');
    ds = await openReadModels(f.url);
    for (const l of learners) {
      await f.learner(
        l,
        updateProfile({
          firstName: 'A',
          lastName: 'B',
          birthMonth: 1,
          birthDay: 2,
          boards: [],
          licenses: [],
          npi: undefined,
          occurredAt: new Date('2026-01-01T00:00:00Z'),
        }),
      );
    }
    // 2,000 events across 20 learners, with claims in between.
    await Promise.all(
      learners.map(async (l, n) => {
        for (let i = 0; i < 95; i++) {
          await f.learner(l, {
            type: 'RecordResearch',
            data: {
              researchId: `r${i}`,
              occurredAt: new Date(Date.UTC(2025 + (i % 2), 3, 1 + (n % 20))),
            },
          });
          if (i % 30 === 29)
            await f.learner(l, {
              type: 'ClaimCredits',
              data: {
                claimId: randomUUID(),
                activity: 'ipoc',
                occurredAt: new Date('2026-06-01T00:00:00Z'),
              },
            });
        }
      }),
    );
  }, 120_000);

  afterAll(async () => {
    await ds.destroy();
    await f.close();
  });

  const positions = async (): Promise<Record<string, bigint>> => {
    const rows = (await ds.query(
      `SELECT name, live_position::text AS p FROM projection_state`,
    )) as { name: string; p: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, BigInt(r.p)]));
  };

  it('leaves the read models exactly as if it had never stopped', async () => {
    const head = await f.headPosition();
    const env = { DATABASE_URL: f.url, LEDGER_PROJECTION_BATCH: '25' };
    let kills = 0;
    for (let round = 0; round < 3; round++) {
      const worker: RunningProcess = startProcess('worker', env);
      try {
        await worker.waitForOutput(/cme-ledger worker started/);
        // Kill it while it is working: as soon as it has applied a batch since it started
        // (or, had it already caught up, at once: the check after the loop then says so).
        const before = (await positions())['credit-balances'] ?? 0n;
        await eventually(async () => {
          worker.assertRunning();
          const now = (await positions())['credit-balances'] ?? 0n;
          if (now <= before && now < head) throw new Error('no batch applied yet');
        });
      } finally {
        await worker.kill('SIGKILL');
        kills += 1;
      }
      const p = await positions();
      if ((p['credit-balances'] ?? 0n) >= head && (p.claims ?? 0n) >= head) break;
    }
    expect(kills).toBeGreaterThan(0);
    const midway = await positions();
    // The kill must have landed before the end, or this test proved nothing.
    expect(Object.values(midway).some((p) => p < head)).toBe(true);

    const worker = startProcess('worker', env);
    try {
      await worker.waitForOutput(/cme-ledger worker started/);
      await eventually(
        async () => {
          worker.assertRunning();
          const p = await positions();
          if ((p['credit-balances'] ?? 0n) < head || (p.claims ?? 0n) < head)
            throw new Error(
              `behind: ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
            );
        },
        { timeoutMs: 60000 },
      );
    } finally {
      await worker.kill('SIGTERM');
    }
    const { rows } = await f.pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events');
    const applied = (await ds.query(
      `SELECT name, events_applied::text AS n FROM projection_state ORDER BY name`,
    )) as { name: string; n: string }[];
    // Every event applied exactly once per projection: none twice, none lost.
    expect(applied).toEqual([
      { name: 'claims', n: rows[0]!.n },
      { name: 'credit-balances', n: rows[0]!.n },
    ]);
    for (const l of learners) {
      const live = await learnerCredits(ds, l, { now: FIXTURE_NOW, timeZone: FIXTURE_ZONE });
      const expected = await f.expected(l);
      expect(live.activities).toEqual(expected.activities);
    }
  }, 180_000);
});
