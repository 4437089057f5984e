import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointSigner } from '@ledger/audit';
import { Client } from 'pg';
import { ledgerCli } from '../../../test/support/ledger-cli';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi } from '../../api/test/audit.fixtures';

describe('the CLI: checkpoints, proofs checked offline, verification against the signed checkpoint', () => {
  let t: TestApp;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const { pem } = CheckpointSigner.generate();
  const ledger = (...argv: string[]) => ledgerCli(env, ...argv);
  /** Offline: no database in the environment, only the files. */
  const offline = (...argv: string[]) => ledgerCli({ NODE_ENV: 'test' }, ...argv);

  beforeAll(async () => {
    t = await startTestApp('cli_transparency', { runBoardProcess: false, runCheckpoints: false });
    dir = mkdtempSync(join(tmpdir(), 'ledger-cli-proofs-'));
    env = {
      NODE_ENV: 'test',
      DATABASE_URL: t.databaseUrl,
      LEDGER_CHECKPOINT_KEY: pem,
      LEDGER_WITNESS_DIR: join(dir, 'witness'),
    };
    const api = learnerApi(t.app);
    await api.profile('cli-proof-1').expect(200);
    for (const r of ['r1', 'r2', 'r3']) await api.research('cli-proof-1', r).expect(201);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('walks an auditor through: public key, checkpoint, inclusion and consistency checked offline, a tampering named', async () => {
    const key = await ledger('public-key');
    expect(key.code).toBe(0);
    writeFileSync(join(dir, 'ledger.pub'), key.stdout);
    const first = await ledger('checkpoint');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual(expect.objectContaining({ treeSize: 4 }));

    const stream = await learnerApi(t.app)
      .http()
      .get('/v1/audit/streams/learner-cli-proof-1')
      .set(bearer('auditor'))
      .expect(200);
    const [, second] = stream.body.events as { id: string }[];
    const proofFile = join(dir, 'proof.json');
    expect((await ledger('proof', second!.id, '--out', proofFile)).code).toBe(0);
    const ok = await offline('verify-proof', proofFile, '--public-key', join(dir, 'ledger.pub'));
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual(expect.objectContaining({ ok: true }));

    // The proof's event altered by hand: refused, offline.
    const proof = JSON.parse(readFileSync(proofFile, 'utf8'));
    proof.event.data.researchId = 'forged';
    writeFileSync(join(dir, 'forged.json'), JSON.stringify(proof));
    const forged = await offline(
      'verify-proof',
      join(dir, 'forged.json'),
      '--public-key',
      join(dir, 'ledger.pub'),
    );
    expect(forged.code).toBe(1);

    await learnerApi(t.app).research('cli-proof-1', 'r4').expect(201);
    expect((await ledger('checkpoint')).code).toBe(0);
    const consistencyFile = join(dir, 'consistency.json');
    expect((await ledger('consistency', '--from', '4', '--out', consistencyFile)).code).toBe(0);
    const consistent = await offline(
      'verify-proof',
      consistencyFile,
      '--public-key',
      join(dir, 'ledger.pub'),
    );
    expect(JSON.parse(consistent.stdout)).toEqual(expect.objectContaining({ ok: true }));

    const intact = await ledger('verify-checkpoint', '--public-key', join(dir, 'ledger.pub'));
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toEqual(expect.objectContaining({ ok: true, eventsRead: 5 }));

    // A superuser deletes the stream's last event and fixes its head: the chain still verifies.
    const superuser = new Client({ connectionString: t.databaseUrl });
    await superuser.connect();
    try {
      await superuser.query('BEGIN');
      await superuser.query('ALTER TABLE events DISABLE TRIGGER USER');
      const { rows } = await superuser.query<{ event_id: string }>(
        `DELETE FROM events WHERE stream_name = 'learner-cli-proof-1' AND stream_revision = 4 RETURNING event_id`,
      );
      await superuser.query(
        `UPDATE streams s SET revision = 3, last_hash = e.hash, last_position = e.position
           FROM events e WHERE e.stream_name = s.stream_name AND e.stream_revision = 3
            AND s.stream_name = 'learner-cli-proof-1'`,
      );
      await superuser.query('ALTER TABLE events ENABLE TRIGGER USER');
      await superuser.query('COMMIT');
      // Every hash chain still verifies (the read models are past the log's head: a rebuild).
      expect(JSON.parse((await ledger('verify')).stdout).verification.ok).toBe(true);
      const broken = await ledger('verify-checkpoint', '--public-key', join(dir, 'ledger.pub'));
      expect(broken.code).toBe(1);
      const report = JSON.parse(broken.stdout);
      expect(report.firstWrongEvent).toEqual(
        expect.objectContaining({
          kind: 'missing',
          expected: expect.objectContaining({ eventId: rows[0]!.event_id, revision: '4' }),
        }),
      );
    } finally {
      await superuser.end();
    }
  });

  it('refuses what it cannot use, naming it', async () => {
    const usage = await ledger('proof', 'not-a-uuid');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('eventId must be a UUID');
    const noFile = await offline(
      'verify-proof',
      join(dir, 'absent.json'),
      '--public-key',
      join(dir, 'ledger.pub'),
    );
    expect(noFile.code).toBe(2);
    expect(noFile.stderr).toContain('absent.json cannot be read');
    const size = await ledger('consistency', '--from', 'x');
    expect(size.stderr).toContain('--from must be a tree size');
  });
});
