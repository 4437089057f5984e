import type { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../../apps/api/src/bootstrap';
import { loadConfig } from '@ledger/runtime';
import { createDatabase, databaseUrl, dropDatabase } from '../../libs/database/src';
import { PROFILE } from '../../apps/api/test/audit.fixtures';
import { ledgerCli } from '../support/ledger-cli';
import { bearer } from '../support/test-app';
import {
  freshCluster,
  removeCluster,
  serverFolder,
  startCluster,
  tool,
  type Cluster,
} from './cluster';

/**
 * The restore drill, as an operator moves the ledger to a new server: a ledger written on a
 * server that has run a long time (its transaction ids far ahead of a new cluster's), then
 *  1. pg_dump -Fc, initdb of a new cluster, pg_restore, the service started on it;
 *  2. the ledger's own NDJSON export, imported into an empty database of that cluster;
 *  3. pg_basebackup of the restored cluster, started as a cluster of its own.
 * Each time: commands on a stream from before and on a new one succeed, and reads with
 * minPosition see them (they wait at most 3 s, then answer 503).
 */
const SOURCE = process.env.LEDGER_DRILL_SOURCE_URL;
const BIN = process.env.LEDGER_DRILL_PG_BIN;
/** A source cluster with fewer transactions than this has them added first. */
const SOURCE_TRANSACTIONS = 100_000n;

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

const ledger = (url: string, ...argv: string[]) =>
  ledgerCli({ NODE_ENV: 'test', DATABASE_URL: url }, ...argv);

/** The service (API with its projections) on a database; the board process off. */
async function service(url: string): Promise<{ app: INestApplication; close(): Promise<void> }> {
  const config = { ...loadConfig({ NODE_ENV: 'test' }), runBoardProcess: false };
  const app = await createApp({ config, databaseUrl: url, databaseKind: 'external' });
  await app.init();
  return { app, close: () => app.close() };
}

function ledgerApi(app: INestApplication) {
  const http = () => request(app.getHttpServer());
  return {
    profile: (id: string) =>
      http().put(`/v1/learners/${id}/profile`).set(bearer('service')).send(PROFILE),
    research: (id: string, researchId: string) =>
      http()
        .post(`/v1/learners/${id}/questions-researched`)
        .set(bearer('service'))
        .send({ researchId, occurredAt: new Date(Date.now() - 60_000).toISOString() }),
    /** The learner's earned IPOC twelfths once the read models hold `position`. */
    async earned(id: string, position: string): Promise<number> {
      const res = await http()
        .get(`/v1/learners/${id}/credits?minPosition=${position}`)
        .set(bearer('service'));
      if (res.status !== 200) throw new Error(`credits of ${id}: ${res.status} ${res.text}`);
      return (res.body as { activities: { ipoc: { earned: { twelfths: number } } } }).activities
        .ipoc.earned.twelfths;
    },
  };
}

/**
 * What every restored copy must do: a command on a learner from before the backup and on a
 * new learner succeed, and reads with minPosition see both.
 */
async function commandsAndReads(url: string, label: string, oldLearner: string, before: number) {
  const s = await service(url);
  try {
    const api = ledgerApi(s.app);
    const old = await api.research(oldLearner, `after-${label}`).expect(201);
    expect(await api.earned(oldLearner, old.body.position as string)).toBe(before + 6);
    const learner = `drill-new-${label}`;
    await api.profile(learner).expect(200);
    const fresh = await api.research(learner, 'n1').expect(201);
    expect(await api.earned(learner, fresh.body.position as string)).toBe(6);
    const health = await request(s.app.getHttpServer()).get('/health').expect(200);
    expect(health.body.status).toBe('ok');
  } finally {
    await s.close();
  }
}

describe('restore drill: logical, NDJSON and physical backups restored into new clusters', () => {
  if (!SOURCE || !BIN) {
    it('needs LEDGER_DRILL_SOURCE_URL and LEDGER_DRILL_PG_BIN (.ci/run sets them)', () => {
      throw new Error(
        'set LEDGER_DRILL_SOURCE_URL (a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test) ' +
          'and LEDGER_DRILL_PG_BIN (its binaries, e.g. /usr/lib/postgresql/15/bin)',
      );
    });
    return;
  }
  const source = SOURCE;
  const bin = BIN;
  const name = `drill_${Date.now().toString(36)}`;
  const work = mkdtempSync(join(tmpdir(), 'ledger-drill-'));
  const clusters: Cluster[] = [];
  let sourceUrl: string;
  let restored: Cluster;

  beforeAll(async () => {
    // The source has run long: new clusters' transaction ids are far behind its positions.
    const [now] = await query<{ xid: string }>(source, 'SELECT pg_current_xact_id()::text AS xid');
    const missing = SOURCE_TRANSACTIONS - BigInt(now!.xid);
    if (missing > 0n) {
      // One statement: a DO block may COMMIT only when it is not inside a multi-statement
      // (implicit) transaction block, which `SET …; DO …` in one query string would make.
      await query(
        source,
        `DO $$ BEGIN
           PERFORM set_config('synchronous_commit', 'off', false);
           FOR i IN 1..${missing} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP;
         END $$`,
      );
    }
    sourceUrl = await createDatabase(source, name);
    const s = await service(sourceUrl);
    try {
      const api = ledgerApi(s.app);
      await api.profile('drill-ada').expect(200);
      let last = '';
      for (const r of ['r1', 'r2', 'r3'])
        last = (await api.research('drill-ada', r).expect(201)).body.position as string;
      expect(await api.earned('drill-ada', last)).toBe(18);
    } finally {
      await s.close();
    }
  });

  afterAll(async () => {
    for (const c of clusters) {
      await c.stop().catch(() => undefined);
      removeCluster(c.dir);
    }
    await dropDatabase(source, name).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  });

  it('pg_dump -Fc, pg_restore into a new cluster: the service raises the position epoch and answers old and new streams', async () => {
    const dump = join(work, 'ledger.dump');
    await tool(bin, 'pg_dump', ['-Fc', '-d', sourceUrl, '-f', dump]);
    restored = await freshCluster(bin, 'logical');
    clusters.push(restored);
    const target = await createDatabase(restored.url('postgres'), 'ledger');
    await tool(bin, 'pg_restore', ['--no-owner', '-d', target, dump]);
    // The operator's trap: this cluster's transaction ids are behind every stored position.
    const [state] = await query<{ behind: boolean }>(
      target,
      `SELECT (SELECT max(position) >> 20 FROM events) > pg_current_xact_id()::text::bigint AS behind`,
    );
    expect(state?.behind).toBe(true);

    await commandsAndReads(target, 'logical', 'drill-ada', 18);
    const epochs = await query<{ epoch: number; reason: string }>(
      target,
      'SELECT epoch, reason FROM event_store_epochs ORDER BY epoch',
    );
    expect(epochs.map((e) => e.epoch)).toEqual([0, 1]);
    const verify = await ledger(target, 'verify');
    expect(JSON.parse(verify.stdout)).toEqual(
      expect.objectContaining({
        ok: true,
        readModels: expect.objectContaining({ ok: true, rebuildNeeded: false }),
      }),
    );
    expect(verify.code).toBe(0);
  });

  it("the ledger's NDJSON export, imported into an empty database of the new cluster", async () => {
    const file = join(work, 'ledger.ndjson');
    const exported = await ledger(sourceUrl, 'export', '--out', file);
    expect(exported.code).toBe(0);
    const target = await createDatabase(restored.url('postgres'), 'imported');
    const imported = await ledger(target, 'import', file);
    expect(imported.stderr).not.toMatch(/failed/);
    expect(imported.code).toBe(0);
    await commandsAndReads(target, 'ndjson', 'drill-ada', 18);
  });

  it('pg_basebackup of the restored cluster, started as a cluster of its own', async () => {
    const dir = serverFolder('physical');
    await tool(
      bin,
      'pg_basebackup',
      ['-h', '127.0.0.1', '-p', String(restored.port), '-U', 'postgres', '-D', dir].concat([
        '-X',
        'stream',
        '-c',
        'fast',
      ]),
      { asServerUser: true },
    );
    const physical = await startCluster(bin, dir);
    clusters.push(physical);
    const target = databaseUrl(physical.url('postgres'), 'ledger');
    // The copy went on from the restored cluster's transaction ids: no new epoch is needed.
    await commandsAndReads(target, 'physical', 'drill-ada', 24);
    const epochs = await query<{ epoch: number }>(target, 'SELECT epoch FROM event_store_epochs');
    expect(epochs.map((e) => e.epoch).sort()).toEqual([0, 1]);
  });
});
