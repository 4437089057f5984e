import { Client } from 'pg';
import { freshDatabase } from '../../../test/support/test-database';
import { startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi } from '../../api/test/audit.fixtures';
import { expectExit, ledgerCli } from '../../../test/support/ledger-cli';

/**
 * `ledger verify` on a shared server: a transaction open in another database holds a new
 * reader's view of the log for a moment, while the API's projections, which have passed over
 * it, are at the head. The CLI must not call them "ahead of the log" and tell the operator to
 * rebuild them.
 */
describe('ledger verify while another database holds the readable horizon', () => {
  let t: TestApp;
  const learnerId = 'cli-horizon-learner';

  beforeAll(async () => {
    t = await startTestApp('cli_horizon', { runBoardProcess: false });
    await learnerApi(t.app).profile(learnerId).expect(200);
  });
  afterAll(async () => {
    await t.close();
  });

  const projectionsAt = async (admin: Client): Promise<bigint[]> => {
    const { rows } = await admin.query<{ position: string }>(
      'SELECT live_position::text AS position FROM projection_state',
    );
    return rows.map((r) => BigInt(r.position));
  };

  it('reads the log up to the projections before calling them ahead of it (exit 0, read models ok)', async () => {
    const elsewhere = await freshDatabase('cli_horizon_elsewhere');
    const foreign = new Client({ connectionString: elsewhere.url });
    const admin = new Client({ connectionString: t.databaseUrl });
    await foreign.connect();
    await admin.connect();
    try {
      // Older than every append below: a new reader sees only below it until it has seen it hold.
      await foreign.query('BEGIN');
      await foreign.query('SELECT pg_current_xact_id()');
      const api = learnerApi(t.app);
      for (const r of ['h1', 'h2', 'h3']) await api.research(learnerId, r).expect(201);
      const { rows } = await admin.query<{ head: string }>(
        'SELECT max(position)::text AS head FROM events',
      );
      const head = BigInt(rows[0]!.head);
      // The API's projections pass over the open transaction and reach the head.
      const deadline = Date.now() + 10_000;
      while ((await projectionsAt(admin)).some((p) => p < head) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      expect((await projectionsAt(admin)).every((p) => p >= head)).toBe(true);

      const verify = await ledgerCli({ NODE_ENV: 'test', DATABASE_URL: t.databaseUrl }, 'verify');
      expectExit(verify, 0);
      const report = JSON.parse(verify.stdout) as {
        log: { upToPosition: string };
        readModels: { ok: boolean; rebuildNeeded: boolean };
      };
      expect(report.readModels).toEqual(
        expect.objectContaining({ ok: true, rebuildNeeded: false }),
      );
      expect(BigInt(report.log.upToPosition)).toBeGreaterThanOrEqual(head);
    } finally {
      await foreign.query('ROLLBACK');
      await foreign.end();
      await admin.end();
      await elsewhere.drop();
    }
  });
});
