import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDatabase } from './resolve-database';

describe('resolveDatabase: the embedded server', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'ledger-resolve-db-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('refuses data kept from another PostgreSQL major version, naming both versions and the ways out', async () => {
    const pgdata = join(dataDir, 'postgres', 'pgdata');
    mkdirSync(pgdata, { recursive: true });
    writeFileSync(join(pgdata, 'PG_VERSION'), '9\n');

    const started = resolveDatabase({ dataDir, port: 0 });

    await expect(started).rejects.toThrow(
      new RegExp(
        `The PostgreSQL data in ${pgdata} was made by PostgreSQL 9, and this build runs PostgreSQL \\d+, which cannot open it`,
      ),
    );
    await expect(started).rejects.toThrow(/pg_dumpall/);
    await expect(started).rejects.toThrow(/move .* away/);
    await expect(started).rejects.toThrow(/DATABASE_URL/);
  });
});
