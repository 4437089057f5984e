import { freePort } from '@ledger/database';
import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { runToEnd, startProcess, type RunningProcess } from '../../../test/support/processes';
import { bearer } from '../../../test/support/test-app';
import { PROFILE } from '../../api/test/audit.fixtures';
import { ledgerCli } from '../../../test/support/ledger-cli';

/**
 * The embedded default's backup and restore, as an operator runs them (real processes, the
 * server embedded under LEDGER_DATA_DIR): a backup while the service takes commands, the
 * service stopped, the backup restored, the service started again.
 */
describe('npm run ledger -- backup / restore (the embedded server)', () => {
  let dir: string;
  let pgPort: number;
  let httpPort: number;
  const env = (): Record<string, string> => ({
    // The embedded server, also when the test run itself uses DATABASE_URL's server.
    DATABASE_URL: '',
    LEDGER_DATA_DIR: dir,
    EMBEDDED_POSTGRES_PORT: String(pgPort),
    PORT: String(httpPort),
    LEDGER_RUN_BOARD_PROCESS: 'false',
  });
  const ledger = (...args: string[]) => runToEnd('cli', args, env());

  /**
   * `npm start` on the embedded server under `dir`, without the board process. Its start-up
   * (the embedded server, migrations, Nest) takes what the machine allows; what is asserted is
   * that once it says it listens, it answers at once.
   */
  async function startService(): Promise<RunningProcess> {
    const api = startProcess('api', env());
    await api.waitForOutput(/cme-ledger api listening on/);
    await request(`http://127.0.0.1:${httpPort}`).get('/health').expect(200);
    return api;
  }
  const http = () => request(`http://127.0.0.1:${httpPort}`);
  const research = (learner: string, researchId: string) =>
    http()
      .post(`/v1/learners/${learner}/questions-researched`)
      .set(bearer('service'))
      .send({ researchId, occurredAt: new Date(Date.now() - 60_000).toISOString() });
  const profile = (learner: string) =>
    http().put(`/v1/learners/${learner}/profile`).set(bearer('service')).send(PROFILE);
  const credits = (learner: string, minPosition?: string) =>
    http()
      .get(`/v1/learners/${learner}/credits${minPosition ? `?minPosition=${minPosition}` : ''}`)
      .set(bearer('service'));

  // Each test has a data folder and ports of its own: none depends on what another left.
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ledger-backup-'));
    // The embedded server runs as the postgres user when the tests run as root.
    chmodSync(dir, 0o755);
    pgPort = await freePort();
    httpPort = await freePort();
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up while the service takes commands, and the restored ledger answers old and new streams', async () => {
    let service = await startService();
    try {
      await profile('backup-ada').expect(200);
      for (const r of ['r1', 'r2', 'r3']) await research('backup-ada', r).expect(201);

      // Commands keep coming while the backup runs.
      await profile('backup-busy').expect(200);
      const acknowledged: string[] = [];
      let writing = true;
      let fiveAcknowledged = (): void => undefined;
      const five = new Promise<void>((resolve) => (fiveAcknowledged = resolve));
      const writer = (async () => {
        for (let i = 0; writing; i++) {
          const res = await research('backup-busy', `w${i}`);
          if (res.status === 201) acknowledged.push(`w${i}`);
          if (acknowledged.length === 5) fiveAcknowledged();
        }
      })();
      // The backup starts once five commands are acknowledged (or the writer has failed).
      await Promise.race([five, writer]);
      expect(acknowledged.length).toBeGreaterThanOrEqual(5);
      const beforeBackup = acknowledged.length;
      const backup = await ledger('backup', '--out', join(dir, 'backup-1'));
      writing = false;
      await writer;
      expect(backup.stderr).not.toMatch(/failed/);
      expect(backup.code).toBe(0);
      expect(JSON.parse(backup.stdout)).toEqual(
        expect.objectContaining({ backup: join(dir, 'backup-1'), files: expect.any(Number) }),
      );

      // A restore is refused while the service runs on the server.
      const busy = await ledger('restore', join(dir, 'backup-1'));
      expect(busy.code).toBe(1);
      expect(busy.stderr).toMatch(/answers on port .*stop the service/);

      await service.kill('SIGTERM');
      const restore = await ledger('restore', join(dir, 'backup-1'));
      expect(restore.stderr).not.toMatch(/failed/);
      expect(restore.code).toBe(0);
      const restored = JSON.parse(restore.stdout);
      expect(restored.verification).toEqual(
        expect.objectContaining({
          ok: true,
          readModels: expect.objectContaining({ ok: true, rebuildNeeded: false }),
        }),
      );
      expect(restored.replacedDataKeptIn).toMatch(/pgdata\.replaced-/);

      service = await startService();
      // Everything acknowledged before the backup began is there (the chains verified above).
      const busyCredits = await credits('backup-busy').expect(200);
      expect(busyCredits.body.activities.ipoc.earned.twelfths).toBeGreaterThanOrEqual(
        6 * beforeBackup,
      );
      // An old stream and a new one take commands, and reads with minPosition see them.
      const old = await research('backup-ada', 'r4').expect(201);
      await profile('backup-new').expect(200);
      const fresh = await research('backup-new', 'n1').expect(201);
      const ada = await credits('backup-ada', old.body.position as string).expect(200);
      expect(ada.body.activities.ipoc.earned.twelfths).toBe(24);
      expect(BigInt(fresh.body.position as string) > BigInt(old.body.position as string)).toBe(
        true,
      );
      await credits('backup-new', fresh.body.position as string).expect(200);
    } finally {
      await service.kill('SIGTERM');
    }
    // This bounds a hang only: two cold starts of the embedded server and the API on a loaded
    // machine, a backup and a restore.
  }, 360_000);

  it('refuses a backup whose files changed since, naming the file', async () => {
    // A backup of its own (the command starts the embedded server when no service runs).
    const made = await ledger('backup', '--out', join(dir, 'backup-1'));
    expect(made.stderr).not.toMatch(/failed/);
    expect(made.code).toBe(0);
    const copy = join(dir, 'backup-tampered');
    cpSync(join(dir, 'backup-1'), copy, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(copy, 'ledger-backup.json'), 'utf8')) as {
      files: { path: string }[];
    };
    const victim = manifest.files.find((f) => f.path === 'PG_VERSION')!;
    writeFileSync(join(copy, 'data', victim.path), '9\n');
    const run = await ledger('restore', copy);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/PG_VERSION differs from when it was backed up/);
  }, 180_000);

  it('sends DATABASE_URL users to their server’s own tools', async () => {
    const run = await ledgerCli(
      { NODE_ENV: 'test', DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
      'backup',
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/pg_dump -Fc and pg_restore, or pg_basebackup/);
  });
});
