import { Client } from 'pg';

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

const NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Creates the database if it does not exist; returns its URL. */
export async function createDatabase(serverUrl: string, database: string): Promise<string> {
  if (!NAME.test(database)) throw new Error(`invalid database name: ${database}`);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      database,
    ]);
    if (!rowCount) {
      try {
        await client.query(`CREATE DATABASE ${database}`);
      } catch (error) {
        // Another process created it between the check and here.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
  return databaseUrl(serverUrl, database);
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  if (!NAME.test(database)) throw new Error(`invalid database name: ${database}`);
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    // A pool's end() resolves before its connections have closed: give them a moment to go on
    // their own, since FORCE ends a connection still open with an error its client may not catch.
    for (let waited = 0; waited < 2000; waited += 50) {
      const { rows } = await client.query<{ open: number }>(
        'SELECT count(*)::int AS open FROM pg_stat_activity WHERE datname = $1',
        [database],
      );
      if ((rows[0]?.open ?? 0) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
