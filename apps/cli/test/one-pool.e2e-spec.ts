import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { CLI_POOL_SIZE } from '../src/cli-context';
import { startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi } from '../../api/test/audit.fixtures';
import { expectExit, ledgerCli } from '../../../test/support/ledger-cli';

/**
 * One pg pool per CLI process, as in the API and the worker: the event store, the read models,
 * the log's tree and the personal-data keys share it. What a database administrator sees while
 * commands that use all of them run: every session the CLI opens is under its one application
 * name, and never more of them than its pool holds.
 */
describe('CLI process: one database pool', () => {
  let t: TestApp;
  let admin: Client;
  let dir: string;
  const learnerId = 'cli-pool-learner';

  beforeAll(async () => {
    t = await startTestApp('cli_one_pool', { runBoardProcess: false });
    dir = mkdtempSync(join(tmpdir(), 'ledger-cli-pool-'));
    admin = new Client({ connectionString: t.databaseUrl });
    await admin.connect();
    const api = learnerApi(t.app);
    await api.profile(learnerId).expect(200);
    for (const r of ['r1', 'r2', 'r3']) await api.research(learnerId, r).expect(201);
    await api.claim(learnerId, 'ipoc').expect(201);
  });
  afterAll(async () => {
    await admin.end();
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  /** The CLI's sessions (it runs as the superuser of t.databaseUrl; the API as its service role). */
  const sessions = async (): Promise<Map<string, number>> => {
    const { rows } = await admin.query<{ application_name: string; count: string }>(
      `SELECT application_name, count(*)::text AS count FROM pg_stat_activity
        WHERE datname = $1 AND usename = current_user AND pid <> pg_backend_pid()
        GROUP BY application_name`,
      [t.databaseName],
    );
    return new Map(rows.map((r) => [r.application_name, Number(r.count)]));
  };

  it('verify, replay-learner and pars-batch open sessions of one pool only, never more than its size', async () => {
    const seen = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const [name, count] of await sessions()) {
          seen.set(name, Math.max(seen.get(name) ?? 0, count));
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const ledger = (...argv: string[]) =>
      ledgerCli({ NODE_ENV: 'test', DATABASE_URL: t.databaseUrl }, ...argv);
    try {
      // The log, the read models' checkpoints (verify); the log and its tree (replay-learner);
      // the log and the learners' keys (pars-batch).
      expectExit(await ledger('verify'), 0);
      expectExit(await ledger('replay-learner', learnerId), 0);
      const batch = await ledger(
        'pars-batch',
        '--from',
        '2000-01-01',
        '--to',
        '2100-12-31',
        '--out',
        join(dir, 'learners.txt'),
      );
      expectExit(batch, 0);
    } finally {
      sampling = false;
      await sampler;
    }

    expect([...seen.keys()]).toEqual(['cme-ledger-cli']);
    expect(seen.get('cme-ledger-cli')).toBeLessThanOrEqual(CLI_POOL_SIZE);
  });
});
