import { randomBytes } from 'node:crypto';
import { createDatabase, dropDatabase } from '../../libs/database/src';

/** The test run's server (see test/global-setup.ts). */
export function testServerUrl(): string {
  const url =
    process.env[`TEST_POSTGRES_URL_${process.env.JEST_WORKER_ID ?? '1'}`] ??
    process.env.TEST_POSTGRES_URL;
  if (!url) throw new Error('TEST_POSTGRES_URL is not set: run the tests through jest (npm test)');
  return url;
}

/** A fresh database of its own for one test file; drop() removes it. */
export async function freshDatabase(
  label: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `t_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  const server = testServerUrl();
  const url = await createDatabase(server, name);
  return { url, name, drop: () => dropDatabase(server, name) };
}
