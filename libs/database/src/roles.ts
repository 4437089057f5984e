import { Client, type ClientBase } from 'pg';
import { databaseUrl } from './databases';

/** The embedded server's roles: the owner applies migrations; the service runs the ledger. */
export const OWNER_ROLE = 'ledger_owner';
export const SERVICE_ROLE = 'ledger_service';

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The user a connection string names (decoded); an error when it names none. */
export function userOf(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  if (!user) throw new Error(`the connection string ${redacted(url)} names no user`);
  return user;
}

/** The same connection string with another user and password. */
export function withCredentials(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** A connection string fit for an error message: its password replaced. */
export function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(a connection string that is not a URL)';
  }
}

/**
 * A login role with no power of its own (no superuser, no creating databases or roles, no
 * replication, no bypassing row security), created if missing; its password set when given.
 * The caller must be allowed to create roles.
 */
export async function ensureLoginRole(
  client: ClientBase,
  name: string,
  password: string | undefined,
): Promise<void> {
  const attributes =
    'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS' +
    (password === undefined ? '' : ` PASSWORD ${client.escapeLiteral(password)}`);
  const { rowCount } = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name]);
  if (rowCount) {
    await client.query(`ALTER ROLE ${client.escapeIdentifier(name)} WITH ${attributes}`);
    return;
  }
  try {
    await client.query(`CREATE ROLE ${client.escapeIdentifier(name)} WITH ${attributes}`);
  } catch (error) {
    // Another process created it between the check and here.
    if ((error as { code?: string }).code !== '42710') throw error;
  }
}

/**
 * The ledger's database on a server where `superuserUrl` may do anything (the embedded one):
 * the owner and service roles with these passwords, and the database owned by the owner, who
 * alone may connect besides the roles it grants. A database made before the roles existed
 * (owned by the superuser, its tables too) is handed over: read-model schemas (`rm_…`, which
 * the service makes and drops as it rebuilds) to the service, everything else to the owner.
 * Answers the owner's and the service's connection strings.
 */
export async function ensureLedgerDatabase(
  superuserUrl: string,
  database: string,
  passwords: { owner: string; service: string },
): Promise<{ ownerUrl: string; serviceUrl: string }> {
  if (!NAME.test(database)) throw new Error(`invalid database name: ${database}`);
  const admin = new Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    // One process at a time (the API and a worker may start together).
    await admin.query(`SELECT pg_advisory_lock(hashtext('cme-ledger/roles'))`);
    await ensureLoginRole(admin, OWNER_ROLE, passwords.owner);
    await ensureLoginRole(admin, SERVICE_ROLE, passwords.service);
    const { rows } = await admin.query<{ owner: string }>(
      'SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = $1',
      [database],
    );
    if (rows.length === 0) {
      await admin.query(`CREATE DATABASE ${database} OWNER ${OWNER_ROLE}`);
    } else if (rows[0]?.owner !== OWNER_ROLE) {
      await admin.query(`ALTER DATABASE ${database} OWNER TO ${OWNER_ROLE}`);
    }
    await admin.query(`REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
    await handOver(databaseUrl(superuserUrl, database), userOf(superuserUrl));
  } finally {
    await admin.end();
  }
  return {
    ownerUrl: withCredentials(databaseUrl(superuserUrl, database), OWNER_ROLE, passwords.owner),
    serviceUrl: withCredentials(
      databaseUrl(superuserUrl, database),
      SERVICE_ROLE,
      passwords.service,
    ),
  };
}

/** Objects of the database still owned by the superuser go to the owner or the service. */
async function handOver(url: string, superuser: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      /* sql */ `
DO $$
DECLARE
  r record;
  v_to text;
BEGIN
  FOR r IN SELECT n.nspname FROM pg_namespace n
            WHERE n.nspowner = $1::regrole AND n.nspname LIKE 'rm\\_%' LOOP
    EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, $3);
  END LOOP;
  FOR r IN SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relowner = $1::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
              AND (n.nspname = 'public' OR n.nspname LIKE 'rm\\_%')
              AND NOT (c.relkind = 'S' AND EXISTS (
                SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))) LOOP
    v_to := CASE WHEN r.nspname LIKE 'rm\\_%' THEN $3 ELSE $2 END;
    EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', r.nspname, r.relname, v_to);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS fn, n.nspname FROM pg_proc p
             JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE p.proowner = $1::regrole AND (n.nspname = 'public' OR n.nspname LIKE 'rm\\_%') LOOP
    v_to := CASE WHEN r.nspname LIKE 'rm\\_%' THEN $3 ELSE $2 END;
    EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.fn, v_to);
  END LOOP;
END $$`
        .replace(/\$1/g, client.escapeLiteral(superuser))
        .replace(/\$2/g, client.escapeLiteral(OWNER_ROLE))
        .replace(/\$3/g, client.escapeLiteral(SERVICE_ROLE)),
    );
  } finally {
    await client.end();
  }
}
