import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, OWNER_ROLE, SERVICE_ROLE } from '../../../libs/database/src';
import { eventually } from '../../../test/support/eventually';
import { startProcess, type RunningProcess } from '../../../test/support/processes';
import { KEYS } from '../../../test/support/test-app';
import { assertLeastPrivilege } from '@ledger/runtime';

/**
 * The embedded default as `npm start` runs it (a real API process, PostgreSQL embedded under its
 * data folder): two roles with generated passwords kept there (mode 0600), migrations applied
 * by the owner, the ledger connected as a service role whose own connection cannot alter or
 * remove a recorded event, whatever it tries. And a data folder of the previous version (fixed
 * superuser password, everything owned by the superuser) taken over the same way.
 */

/** A business time the real clock accepts (the API process runs on it: R15 bounds backdating). */
const recently = (): string => new Date(Date.now() - 60_000).toISOString();

interface Credentials {
  superuser: string;
  owner: string;
  service: string;
}

const query = async <T extends object>(url: string, sql: string): Promise<T[]> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
};

describe('the ledger runs as a least-privilege database role (embedded default)', () => {
  let dataDir: string;
  let pgPort: number;
  let apiUrl: string;
  let api: RunningProcess | undefined;
  let env: Record<string, string>;
  const credentialsFile = () => join(dataDir, 'postgres', 'credentials.json');
  const credentials = () => JSON.parse(readFileSync(credentialsFile(), 'utf8')) as Credentials;
  const urlOf = (user: string, password: string, database = 'ledger') =>
    `postgres://${user}:${password}@127.0.0.1:${pgPort}/${database}`;
  const asSuperuser = (database = 'ledger') => urlOf('postgres', credentials().superuser, database);
  const asService = () => urlOf(SERVICE_ROLE, credentials().service);

  /** Every column of every event, as the superuser sees them. */
  const snapshot = () =>
    query<Record<string, unknown>>(
      asSuperuser(),
      `SELECT position::text, stream_name, stream_revision::text, event_id, event_type, data,
              metadata, recorded_at, encode(hash, 'hex') AS hash FROM events ORDER BY position`,
    );

  const call = (method: string, path: string, key: string, body?: unknown) =>
    fetch(`${apiUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  const startApi = async (): Promise<RunningProcess> => {
    const started = startProcess('api', env);
    // A cold start takes what the machine allows; once it says it listens, it answers.
    await started.waitForOutput(/cme-ledger api listening on/);
    expect((await fetch(`${apiUrl}/health`)).status).toBe(200);
    return started;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-least-privilege-'));
    chmodSync(dataDir, 0o755); // as ./data is: the server's own user must reach its folder
    pgPort = await freePort();
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    env = {
      DATABASE_URL: '', // the embedded default, even when the test run itself has a DATABASE_URL
      LEDGER_DATA_DIR: dataDir,
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      PORT: String(apiPort),
      LEDGER_RUN_BOARD_PROCESS: 'false',
      LEDGER_OPERATIONS_PORT: String(await freePort()),
    };
    api = await startApi();
    for (const learner of ['lp-a', 'lp-b']) {
      for (const researchId of ['r1', 'r2', 'r3']) {
        const res = await call(
          'POST',
          `/v1/learners/${learner}/questions-researched`,
          KEYS.service,
          { researchId, occurredAt: recently() },
        );
        expect(res.status).toBe(201);
      }
    }
  }, 120_000);

  afterAll(async () => {
    await api?.kill('SIGTERM');
    await stopPostmaster(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps generated passwords for the superuser, the owner and the service under the data folder, mode 0600', () => {
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    const kept = credentials();
    expect(Object.keys(kept).sort()).toEqual(['owner', 'service', 'superuser']);
    for (const password of Object.values(kept)) expect(password).toMatch(/^[0-9a-f]{48}$/);
    expect(new Set(Object.values(kept)).size).toBe(3);
  });

  it('the owner owns the database and the log; the service role has no power of its own, and is what the API connects as', async () => {
    const [roles] = await query<Record<string, unknown>>(
      asSuperuser(),
      `SELECT pg_get_userbyid(d.datdba) AS database_owner,
              (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'events') AS events_owner,
              r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolbypassrls, r.rolreplication
         FROM pg_database d, pg_roles r
        WHERE d.datname = 'ledger' AND r.rolname = '${SERVICE_ROLE}'`,
    );
    expect(roles).toEqual({
      database_owner: OWNER_ROLE,
      events_owner: OWNER_ROLE,
      rolsuper: false,
      rolcreatedb: false,
      rolcreaterole: false,
      rolbypassrls: false,
      rolreplication: false,
    });
    const sessions = await query<{ user: string }>(
      asSuperuser(),
      `SELECT DISTINCT usename AS user FROM pg_stat_activity
        WHERE datname = 'ledger' AND application_name LIKE 'cme-ledger%'`,
    );
    expect(sessions.map((s) => s.user)).toEqual([SERVICE_ROLE]);
  });

  it("the service's own connection cannot alter or remove an event, whatever it tries", async () => {
    const before = await snapshot();
    expect(before).toHaveLength(6);
    const target = String(before[0]!.position);
    const attempts: Record<string, string[]> = {
      update: [`UPDATE events SET data = '{"researchId":"forged"}' WHERE position = ${target}`],
      delete: ['DELETE FROM events'],
      'delete in a writable CTE': [
        'WITH d AS (DELETE FROM events RETURNING 1) SELECT count(*) FROM d',
      ],
      upsert: [
        `INSERT INTO events SELECT * FROM events WHERE position = ${target}
           ON CONFLICT (position) DO UPDATE SET data = '{}'`,
      ],
      truncate: ['TRUNCATE events'],
      'truncate cascade': ['TRUNCATE events, streams CASCADE'],
      'disable the triggers': ['ALTER TABLE events DISABLE TRIGGER ALL'],
      'disable one trigger': ['ALTER TABLE events DISABLE TRIGGER events_no_update_delete'],
      'replica mode, then update': [
        'SET session_replication_role = replica',
        `UPDATE events SET data = '{}' WHERE position = ${target}`,
      ],
      'drop a trigger': ['DROP TRIGGER events_no_update_delete ON events'],
      'replace the trigger function': [
        `CREATE OR REPLACE FUNCTION events_are_immutable() RETURNS trigger
           LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`,
      ],
      'drop the trigger function': ['DROP FUNCTION events_are_immutable() CASCADE'],
      'a trigger of its own': [
        'CREATE TRIGGER t BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_are_immutable()',
      ],
      'a rewrite rule': ['CREATE RULE r AS ON UPDATE TO events DO INSTEAD NOTHING'],
      'alter the table': ['ALTER TABLE events ADD COLUMN forged text'],
      'rename the table': ['ALTER TABLE events RENAME TO events_old'],
      'take the table': [`ALTER TABLE events OWNER TO ${SERVICE_ROLE}`],
      'drop the table': ['DROP TABLE events CASCADE'],
      // A grant without the grant option only warns ("no privileges were granted"): the update says.
      'grant itself, then update': [
        `GRANT UPDATE, DELETE, TRUNCATE ON events TO ${SERVICE_ROLE}`,
        `UPDATE events SET data = '{}' WHERE position = ${target}`,
      ],
      'become the owner': [`SET ROLE ${OWNER_ROLE}`, 'DELETE FROM events'],
      'become a superuser': [`ALTER ROLE ${SERVICE_ROLE} SUPERUSER`],
      'reassign what the owner owns': [`REASSIGN OWNED BY ${OWNER_ROLE} TO ${SERVICE_ROLE}`],
      'drop what the owner owns': [`DROP OWNED BY ${OWNER_ROLE} CASCADE`],
      'take the database': [`ALTER DATABASE ledger OWNER TO ${SERVICE_ROLE}`],
      'rewrite a position epoch': ['UPDATE event_store_epochs SET xid_offset = xid_offset + 1'],
      'drop the position epochs': ['DELETE FROM event_store_epochs'],
    };
    const allowed: string[] = [];
    for (const [what, statements] of Object.entries(attempts)) {
      const client = new Client({ connectionString: asService() });
      await client.connect();
      try {
        await client.query('BEGIN');
        for (const sql of statements) await client.query(sql);
        await client.query('COMMIT');
        allowed.push(what);
      } catch {
        await client.query('ROLLBACK').catch(() => undefined);
      } finally {
        await client.end();
      }
    }
    expect(allowed).toEqual([]);
    expect(await snapshot()).toEqual(before);
    const integrity = await call('GET', '/v1/audit/integrity', KEYS.auditor);
    expect(((await integrity.json()) as { ok: boolean }).ok).toBe(true);
  });

  it('in production the ledger refuses to run as a role that could alter events, naming the fix', async () => {
    await expect(assertLeastPrivilege(asService())).resolves.toBeUndefined();
    await expect(assertLeastPrivilege(urlOf(OWNER_ROLE, credentials().owner))).rejects.toThrow(
      /role ledger_owner owns the events table.*set DATABASE_URL to a least-privilege role and DATABASE_OWNER_URL to the owner/,
    );
    await expect(assertLeastPrivilege(asSuperuser())).rejects.toThrow(
      /role postgres is a superuser/,
    );
  });

  it('a data folder of the previous version (fixed superuser password, all owned by the superuser) gets generated passwords and is handed to the owner and the service', async () => {
    const before = await snapshot();
    // The state the previous version left: kill the API (PostgreSQL goes on running), give
    // everything back to the superuser, restore its fixed password, forget the credentials.
    await api!.kill('SIGKILL');
    api = undefined;
    await query(
      asSuperuser(),
      `REASSIGN OWNED BY ${OWNER_ROLE}, ${SERVICE_ROLE} TO postgres;
       DROP OWNED BY ${OWNER_ROLE}, ${SERVICE_ROLE}`,
    );
    await query(
      asSuperuser('postgres'),
      `DROP ROLE ${SERVICE_ROLE}; DROP ROLE ${OWNER_ROLE}; ALTER ROLE postgres PASSWORD 'ledger-embedded'`,
    );
    rmSync(credentialsFile());
    await stopPostmaster(dataDir);

    api = await startApi();
    const kept = credentials();
    expect(kept.superuser).toMatch(/^[0-9a-f]{48}$/);
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    await expect(query(urlOf('postgres', 'ledger-embedded'), 'SELECT 1')).rejects.toThrow();
    const owners = await query<{ name: string; owner: string }>(
      asSuperuser(),
      `SELECT n.nspname || '.' || c.relname AS name, pg_get_userbyid(c.relowner) AS owner
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind = 'r' AND (n.nspname = 'public' OR n.nspname LIKE 'rm\\_%')
        ORDER BY 1`,
    );
    const wrong = owners.filter(
      (o) => o.owner !== (o.name.startsWith('rm_') ? SERVICE_ROLE : OWNER_ROLE),
    );
    expect({ tables: owners.length > 5, wrong }).toEqual({ tables: true, wrong: [] });
    expect(await snapshot()).toEqual(before);
    const res = await call('POST', '/v1/learners/lp-a/questions-researched', KEYS.service, {
      researchId: 'r4',
      occurredAt: recently(),
    });
    expect(res.status).toBe(201);
    expect((await snapshot()).length).toBe(7);
  }, 120_000);
});

/** Stops the embedded server of the folder, if it runs (a fast shutdown), and waits for it. */
async function stopPostmaster(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'postgres', 'pgdata', 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // not running
  }
  await eventually(
    () => {
      try {
        process.kill(pid, 0);
      } catch {
        return; // gone
      }
      throw new Error(`the embedded server (pid ${pid}) is still running`);
    },
    { timeoutMs: 30_000, intervalMs: 50 },
  );
}
