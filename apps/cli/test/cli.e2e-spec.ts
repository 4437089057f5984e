import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../../../test/support/test-database';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi } from '../../api/test/audit.fixtures';
import { expectExit, ledgerCli } from '../../../test/support/ledger-cli';

const ledger = (databaseUrl: string, ...argv: string[]) =>
  ledgerCli({ NODE_ENV: 'test', DATABASE_URL: databaseUrl }, ...argv);

describe('the ledger CLI (npm run ledger -- …)', () => {
  let t: TestApp;
  let dir: string;
  let learnerId: string;
  const http = () => learnerApi(t.app).http();

  beforeAll(async () => {
    t = await startTestApp('cli', { runBoardProcess: false });
    dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
    const api = learnerApi(t.app);
    learnerId = 'cli-learner-1';
    await api.profile(learnerId).expect(200);
    for (const r of ['r1', 'r2', 'r3']) await api.research(learnerId, r).expect(201);
    for (const q of ['q1', 'q2', 'q3']) await api.answer(learnerId, q).expect(201);
    await api.claim(learnerId, 'ipoc').expect(201);
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
  });

  it('verify and digest print what the integrity endpoint answers', async () => {
    const api = await http().get('/v1/audit/integrity').set(bearer('auditor')).expect(200);
    const verify = await ledger(t.databaseUrl, 'verify', '--expected-digest', api.body.log.digest);
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.stdout)).toEqual(
      expect.objectContaining({
        ok: true,
        log: api.body.log,
        readModels: expect.objectContaining({
          ok: true,
          rebuildNeeded: false,
          logHead: api.body.log.upToPosition,
        }),
      }),
    );
    expect(verify.stderr).toContain('"msg":"cli command"');
    const digest = await ledger(t.databaseUrl, 'digest', '--up-to', api.body.log.upToPosition);
    expect(JSON.parse(digest.stdout)).toEqual(api.body.log);
    const wrong = await ledger(t.databaseUrl, 'verify', '--expected-digest', '0'.repeat(64));
    expect(wrong.code).toBe(1);
  });

  it('replay-learner prints the as-of balances of the audit endpoint', async () => {
    const claim = await http()
      .get(`/v1/audit/streams/learner-${learnerId}`)
      .set(bearer('auditor'))
      .expect(200);
    const position = claim.body.events[3].position as string;
    const api = await http()
      .get(`/v1/audit/learners/${learnerId}/credits?asOf=${position}`)
      .set(bearer('auditor'))
      .expect(200);
    const run = await ledger(t.databaseUrl, 'replay-learner', learnerId, '--as-of', position);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(api.body);
    expect(api.body.activities.ipoc.earned.twelfths).toBe(18);
    expect(api.body.activities['nejm-board-review'].earned.twelfths).toBe(0);
  });

  it('export, check-export against the digest and the ledger, and import into an empty ledger', async () => {
    const file = join(dir, 'export.ndjson');
    const exported = await ledger(t.databaseUrl, 'export', '--out', file);
    expectExit(exported, 0);
    const summary = JSON.parse(exported.stdout) as { digest: string; events: number };
    expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(summary.events);

    const check = await ledger(
      t.databaseUrl,
      'check-export',
      file,
      '--digest',
      summary.digest,
      '--against-ledger',
    );
    expectExit(check, 0);
    expect(JSON.parse(check.stdout)).toEqual(
      expect.objectContaining({
        ok: true,
        ledger: { eventsCompared: summary.events, matches: true },
      }),
    );

    // One line altered in the kept file: named, and the digest no longer matches.
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const altered = join(dir, 'altered.ndjson');
    writeFileSync(
      altered,
      lines
        .map((l, i) => (i === 2 ? l.replace('"twelfths":"6"', '"twelfths":"60"') : l))
        .join('\n'),
    );
    const bad = await ledger(t.databaseUrl, 'check-export', altered, '--digest', summary.digest);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).problems).toEqual([
      expect.objectContaining({ line: 3, kind: 'altered' }),
    ]);

    const empty = await freshDatabase('cli_import');
    try {
      const imported = await ledger(empty.url, 'import', file);
      expectExit(imported, 0);
      expect(JSON.parse(imported.stdout)).toEqual(
        expect.objectContaining({
          events: summary.events,
          verification: expect.objectContaining({
            ok: true,
            log: expect.objectContaining({ digest: summary.digest }),
          }),
        }),
      );
      const replayed = await ledger(empty.url, 'replay-learner', learnerId);
      const original = await ledger(t.databaseUrl, 'replay-learner', learnerId);
      const balances = (run: { stdout: string }) => {
        const { activities, mocPoints, nonUsEquivalents } = JSON.parse(run.stdout);
        return { activities, mocPoints, nonUsEquivalents };
      };
      expect(balances(replayed)).toEqual(balances(original));
      const again = await ledger(empty.url, 'import', file);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain('not empty');
    } finally {
      await empty.drop();
    }
  });

  it('projections shows each projection, and rebuild asks for one', async () => {
    const shown = await ledger(t.databaseUrl, 'projections');
    expect(shown.stdout).toMatch(/^projection\s+generation\s+position/);
    expect(shown.stdout).toContain('credit-balances');
    expect(shown.stdout).toContain('claims');
    const rebuild = await ledger(t.databaseUrl, 'rebuild', 'credit-balances');
    expect(rebuild.code).toBe(0);
    const rows = JSON.parse((await ledger(t.databaseUrl, 'projections', '--json')).stdout) as {
      name: string;
      rebuild_requested_at: string | null;
      generation: number;
    }[];
    const credit = rows.find((r) => r.name === 'credit-balances');
    // Requested, or already swapped in by the API's runner.
    expect(
      credit !== undefined && (credit.rebuild_requested_at !== null || credit.generation > 1),
    ).toBe(true);
  });

  it.each([
    [[], 'Usage'],
    [['nonsense'], 'unknown command'],
    [['verify', '--bogus'], 'Unknown option'],
    [['digest', '--after', 'x'], '--after must be a position'],
    [['replay-learner'], 'replay-learner takes <learnerId>'],
    [['replay-learner', 'a', '--as-of', 'yesterday'], '--as-of must be'],
    [['rebuild', 'nope'], 'no projection nope'],
  ])('usage errors exit 2: %j', async (argv, message) => {
    const run = await ledger(t.databaseUrl, ...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });
});
