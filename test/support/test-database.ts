import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import {
  createDatabase,
  databaseUrl,
  dropDatabase,
  ensureLoginRole,
  withCredentials,
} from '../../libs/database/src';

/** The test run's server (see test/global-setup.ts). */
export function testServerUrl(): string {
  const url =
    process.env[`TEST_POSTGRES_URL_${process.env.JEST_WORKER_ID ?? '1'}`] ??
    process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run the tests through jest (npm test)');
  return url;
}

export interface FreshDatabase {
  /** As the test server's superuser: what a test inspects (or tampers with) directly. */
  url: string;
  name: string;
  drop: () => Promise<void>;
}

export interface FreshDatabaseWithRoles extends FreshDatabase {
  /** Its owner, a role of its own: applies the migrations. */
  ownerUrl: string;
  /** Its service role, with no privilege until the owner grants it some. */
  serviceUrl: string;
}

const nameFor = (label: string): string =>
  `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;

/** A fresh database of its own for one test file; drop() removes it. */
export async function freshDatabase(label: string): Promise<FreshDatabase> {
  const name = nameFor(label);
  const server = testServerUrl();
  const url = await createDatabase(server, name);
  return { url, name, drop: () => dropDatabase(server, name) };
}

/**
 * A fresh database owned by a role of its own, with a service role beside it, as a deployment
 * has them (names derived from the database's, dropped with it).
 */
export async function freshDatabaseWithRoles(label: string): Promise<FreshDatabaseWithRoles> {
  const db = await freshDatabase(label);
  const server = testServerUrl();
  const owner = { user: `${db.name}_owner`, password: randomBytes(16).toString('hex') };
  const service = { user: `${db.name}_svc`, password: randomBytes(16).toString('hex') };
  const admin = new Client({ connectionString: server });
  await admin.connect();
  try {
    await ensureLoginRole(admin, owner.user, owner.password);
    await ensureLoginRole(admin, service.user, service.password);
    await admin.query(`ALTER DATABASE ${db.name} OWNER TO ${owner.user}`);
    await admin.query(`REVOKE ALL ON DATABASE ${db.name} FROM PUBLIC`);
  } finally {
    await admin.end();
  }
  const base = databaseUrl(server, db.name);
  return {
    ...db,
    ownerUrl: withCredentials(base, owner.user, owner.password),
    serviceUrl: withCredentials(base, service.user, service.password),
    async drop() {
      await db.drop();
      const client = new Client({ connectionString: server });
      await client.connect();
      try {
        await client.query(`DROP ROLE IF EXISTS ${service.user}`);
        await client.query(`DROP ROLE IF EXISTS ${owner.user}`);
      } finally {
        await client.end();
      }
    },
  };
}
