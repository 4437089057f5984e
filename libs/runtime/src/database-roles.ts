import {
  ensureLoginRole,
  redacted,
  resolveDatabase,
  userOf,
  type ResolvedDatabase,
} from '@ledger/database';
import { EVENT_STORE_MIGRATIONS, runMigrations } from '@ledger/event-store';
import { Client, Pool, type ClientBase } from 'pg';
import type { LedgerConfig } from './config';
import { openLedgerDataSource } from './data-source';

/**
 * The database as the API, the worker and the CLI open it: DATABASE_URL or the embedded server
 * (resolveDatabase); the migrations applied by the owner when its connection is known
 * (DATABASE_OWNER_URL, or the embedded server's owner role); and, in production, a refusal to
 * run as a role that could alter events.
 */
export async function openDatabase(
  config: Pick<
    LedgerConfig,
    | 'databaseUrl'
    | 'databaseOwnerUrl'
    | 'dataDir'
    | 'embeddedPostgresPort'
    | 'eventStore'
    | 'production'
  >,
): Promise<ResolvedDatabase> {
  const database = await resolveDatabase({
    databaseUrl: config.databaseUrl,
    ownerUrl: config.databaseOwnerUrl,
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
  });
  try {
    if (database.ownerUrl) {
      await migrateAsOwner({
        ownerUrl: database.ownerUrl,
        serviceUrl: database.url,
        eventStore: config.eventStore,
      });
    }
    if (config.production && config.eventStore === 'postgres') {
      await assertLeastPrivilege(database.url);
    }
  } catch (error) {
    await database.stop();
    throw error;
  }
  return database;
}

export interface DatabaseRoles {
  /** The owner's connection: migrations and grants. */
  ownerUrl: string;
  /** The service's connection: the role the ledger runs as. */
  serviceUrl: string;
  /** With EventStoreDB the log is not in PostgreSQL: no events table to migrate or guard. */
  eventStore: 'postgres' | 'eventstoredb';
}

/** Migration bookkeeping tables: the service reads them (to see that nothing is pending). */
const MIGRATION_TABLES = [
  'event_store_migrations',
  // TypeORM's: projection_state and every operational table.
  'read_model_migrations',
  // The hand-written DDL's bookkeeping, in databases made before TypeORM's migrations took the
  // operational tables over: no longer written, still read by a process of that version.
  'ledger_migrations',
  'feed_migrations',
  'audit_migrations',
];

/**
 * Applies every migration as the owner, then gives the service role what the ledger needs and
 * no more (created first, with the password of its connection string, if the owner may create
 * roles and it does not exist):
 * - the log (`events`): read and append, never update, delete or truncate; the stream heads
 *   (`streams`): read, add and advance; the position epochs: read and add; no table of its
 *   own to alter, so no trigger to disable;
 * - the other tables (keys, idempotency records, checkpoints, projection state): read and write;
 * - the migration tables: read only;
 * - creating schemas in the database: each read-model generation is a schema the service makes
 *   and drops as it rebuilds (derived data: nothing of the log is in it).
 * The owner's session reads only `public` (search_path), so that nothing the service creates
 * can stand in for a table a migration means. Nothing to grant when both are one role.
 */
export async function migrateAsOwner(roles: DatabaseRoles): Promise<void> {
  const ownerUrl = withOption(roles.ownerUrl, '-c search_path=public');
  const pool = new Pool({
    connectionString: ownerUrl,
    max: 2,
    application_name: 'cme-ledger-migrate',
  });
  pool.on('error', () => undefined);
  try {
    if (roles.eventStore === 'postgres') await runMigrations(pool, EVENT_STORE_MIGRATIONS);
    // The operational tables and projection_state: TypeORM's migrations, which the data source
    // runs as it opens.
    await (
      await openLedgerDataSource(ownerUrl, { poolSize: 2, name: 'cme-ledger-migrate' })
    ).destroy();
    const client = await pool.connect();
    try {
      await grantServiceRole(client, userOf(roles.serviceUrl), roles);
    } finally {
      client.release();
    }
  } finally {
    await pool.end();
  }
}

async function grantServiceRole(
  client: ClientBase,
  service: string,
  roles: DatabaseRoles,
): Promise<void> {
  const { rows } = await client.query<{ owner: string; database: string; createrole: boolean }>(
    `SELECT current_user AS owner, current_database() AS database,
            (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) AS createrole`,
  );
  const { owner, database, createrole } = rows[0]!;
  if (service === owner) return;
  const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [service]))
    .rowCount;
  if (!exists) {
    if (!createrole) {
      throw new Error(
        `the service role ${service} (DATABASE_URL) does not exist and the owner ${owner} may not ` +
          'create roles: create it (CREATE ROLE … LOGIN PASSWORD …) or let the owner create roles',
      );
    }
    await ensureLoginRole(
      client,
      service,
      decodeURIComponent(new URL(roles.serviceUrl).password) || undefined,
    );
  }
  const id = client.escapeIdentifier(service);
  await client.query('BEGIN');
  try {
    // Grants from two processes at once would collide ("tuple concurrently updated").
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('cme-ledger/grants'))`);
    await client.query(
      `GRANT CONNECT, TEMPORARY, CREATE ON DATABASE ${client.escapeIdentifier(database)} TO ${id}`,
    );
    await client.query(`GRANT USAGE ON SCHEMA public TO ${id}`);
    await client.query(
      `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${id}`,
    );
    await client.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${id}`);
    const present = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relname = ANY ($1)`,
      [[...MIGRATION_TABLES, 'events', 'streams', 'event_store_epochs']],
    );
    const has = new Set(present.rows.map((r) => r.name));
    for (const table of MIGRATION_TABLES.filter((t) => has.has(t))) {
      await client.query(`REVOKE INSERT, UPDATE, DELETE ON ${table} FROM ${id}`);
    }
    if (roles.eventStore === 'postgres' && has.has('events')) {
      await client.query(`REVOKE ALL ON events FROM ${id}`);
      await client.query(`GRANT SELECT, INSERT ON events TO ${id}`);
      await client.query(`REVOKE ALL ON streams FROM ${id}`);
      await client.query(`GRANT SELECT, INSERT, UPDATE ON streams TO ${id}`);
    }
    if (roles.eventStore === 'postgres' && has.has('event_store_epochs')) {
      // Positions' epochs: a process started on a restored cluster raises one; none is altered.
      await client.query(`REVOKE ALL ON event_store_epochs FROM ${id}`);
      await client.query(`GRANT SELECT, INSERT ON event_store_epochs TO ${id}`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * In production, the ledger refuses to run as a role that could alter or remove events: a
 * superuser, the owner of the events table (or a member of its role), or one granted UPDATE,
 * DELETE or TRUNCATE on it. The error names the role and the fix.
 */
export async function assertLeastPrivilege(serviceUrl: string): Promise<void> {
  const client = new Client({ connectionString: serviceUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ role: string; why: string | null }>(
      `SELECT current_user AS role,
              CASE
                WHEN (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN 'is a superuser'
                WHEN to_regclass('public.events') IS NULL THEN NULL
                WHEN pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'public.events'::regclass), 'USAGE')
                  THEN 'owns the events table'
                WHEN has_table_privilege('public.events', 'UPDATE, DELETE, TRUNCATE')
                  THEN 'may update, delete or truncate events'
              END AS why`,
    );
    const { role, why } = rows[0]!;
    if (why) {
      throw new Error(
        `the service's database role ${role} ${why}, so the ledger's own connection could alter ` +
          `or remove recorded events (${redacted(serviceUrl)}): set DATABASE_URL to a ` +
          'least-privilege role and DATABASE_OWNER_URL to the owner, who applies the migrations ' +
          'and grants it what it needs (README, "Security")',
      );
    }
  } finally {
    await client.end();
  }
}

/** The connection string with a libpq `options` parameter added. */
function withOption(url: string, option: string): string {
  const u = new URL(url);
  u.searchParams.set('options', option);
  return u.toString();
}
