import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, promises as fs } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Client } from 'pg';
import {
  embeddedServerUrl,
  startEmbeddedPostgres,
  superuserPassword,
  type RunningPostgres,
} from './embedded-postgres';

/** Beside a backup's data: the passwords of the cluster's roles, which live outside pgdata. */
const CREDENTIALS = 'credentials.json';

/**
 * Backups of the embedded server, taken while it runs, as pg_basebackup takes them but with no
 * tool outside this package (the embedded-postgres package ships the server, not pg_dump or
 * pg_basebackup): PostgreSQL's own online backup (pg_backup_start / pg_backup_stop), the data
 * folder copied meanwhile, then the WAL written during the copy (kept by a temporary
 * replication slot). Restoring starts the server on the copy, which replays that WAL to the
 * moment the backup ended: a consistent state, with transaction ids as they were (no position
 * epoch needed). The copy is readable by the same PostgreSQL major version only (the embedded
 * one).
 */

export const BACKUP_MANIFEST = 'ledger-backup.json';
const FORMAT = 'cme-ledger/embedded-postgres-backup/1';

export interface BackupManifest {
  format: typeof FORMAT;
  takenAt: string;
  /** PostgreSQL version of the server backed up; a restore needs the same major version. */
  serverVersion: string;
  startLsn: string;
  stopLsn: string;
  /** Every file of the copy (paths below data/, with /), its size and sha-256. */
  files: { path: string; bytes: number; sha256: string }[];
}

/** A backup cannot be taken or restored; the message says why and what to do. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

/** The running server's files that a backup leaves out (as pg_basebackup does). */
const SKIPPED_FILES = new Set([
  'postmaster.pid',
  'postmaster.opts',
  'backup_label',
  'backup_label.old',
  'tablespace_map',
  'tablespace_map.old',
  'current_logfiles',
  'current_logfiles.tmp',
  'postgresql.auto.conf.tmp',
  'pg_internal.init',
]);
/** Folders kept empty in the copy: the server refills them (pg_wal gets the backup's WAL). */
const EMPTIED_FOLDERS = new Set([
  'pg_wal',
  'pg_replslot',
  'pg_dynshmem',
  'pg_notify',
  'pg_serial',
  'pg_snapshots',
  'pg_stat_tmp',
  'pg_subtrans',
]);
const WAL_SEGMENT = /^[0-9A-F]{24}$/;

/**
 * Backs up the embedded server whose data folder is `pgdata` into `out` (which must not
 * exist): `out/data` and `out/ledger-backup.json`. The server keeps serving meanwhile.
 */
export async function backupEmbeddedServer(options: {
  port: number;
  pgdata: string;
  out: string;
}): Promise<BackupManifest> {
  if (existsSync(options.out)) throw new BackupError(`${options.out} exists: name a new folder`);
  const tablespaces = await fs.readdir(join(options.pgdata, 'pg_tblspc')).catch(() => []);
  if (tablespaces.length > 0) {
    throw new BackupError('the server has tablespaces: back it up with pg_basebackup');
  }
  // The server's folder (pgdata's parent) keeps its passwords.
  const serverDir = dirname(options.pgdata);
  const client = new Client({
    connectionString: embeddedServerUrl(options.port, superuserPassword(serverDir)),
    application_name: 'cme-ledger-backup',
  });
  await client.connect();
  const data = join(options.out, 'data');
  try {
    const slot = `cme_ledger_backup_${process.pid}`;
    // Keeps every WAL segment from here on until this session ends.
    await client.query('SELECT pg_create_physical_replication_slot($1, true, true)', [slot]);
    const { rows: version } = await client.query<{ server_version: string }>('SHOW server_version');
    const { rows: started } = await client.query<{ lsn: string; wal: string }>(
      'SELECT lsn::text, pg_walfile_name(lsn) AS wal FROM pg_backup_start($1, true) AS lsn',
      [`cme-ledger backup ${new Date().toISOString()}`],
    );
    const files: BackupManifest['files'] = [];
    await copyFolder(options.pgdata, data, files, '');
    const { rows: stopped } = await client.query<{
      lsn: string;
      wal: string;
      labelfile: string;
      spcmapfile: string;
    }>(
      `SELECT s.lsn::text, pg_walfile_name(s.lsn) AS wal, s.labelfile, s.spcmapfile
         FROM pg_backup_stop(false) AS s`,
    );
    const start = started[0];
    const stop = stopped[0];
    if (!start || !stop) throw new BackupError('the server did not answer the backup calls');
    await writeFile(data, 'backup_label', stop.labelfile, files);
    if (stop.spcmapfile) await writeFile(data, 'tablespace_map', stop.spcmapfile, files);
    for (const name of (await fs.readdir(join(options.pgdata, 'pg_wal'))).sort()) {
      const segment = WAL_SEGMENT.test(name) && name >= start.wal && name <= stop.wal;
      if (segment || name.endsWith('.history')) {
        await copyFile(
          join(options.pgdata, 'pg_wal', name),
          join(data, 'pg_wal', name),
          files,
          `pg_wal/${name}`,
        );
      }
    }
    const manifest: BackupManifest = {
      format: FORMAT,
      takenAt: new Date().toISOString(),
      serverVersion: version[0]?.server_version ?? 'unknown',
      startLsn: start.lsn,
      stopLsn: stop.lsn,
      files,
    };
    // The roles' passwords go with the data they open (mode 0600, as beside the server).
    if (existsSync(join(serverDir, CREDENTIALS))) {
      await fs.copyFile(join(serverDir, CREDENTIALS), join(options.out, CREDENTIALS));
      await fs.chmod(join(options.out, CREDENTIALS), 0o600);
    }
    await fs.writeFile(
      join(options.out, BACKUP_MANIFEST),
      `${JSON.stringify(manifest, null, 2)}\n`,
    );
    return manifest;
  } catch (error) {
    await fs.rm(options.out, { recursive: true, force: true });
    throw error;
  } finally {
    await client.end();
  }
}

/**
 * Restores a backup into the embedded server's folder `dataDir` (the one holding pgdata), which
 * no server may be using: the current pgdata is kept beside it as pgdata.replaced-<time>. Then
 * starts the server on the copy (it replays the backup's WAL) and returns it, running.
 */
export async function restoreEmbeddedServer(options: {
  backup: string;
  dataDir: string;
  port: number;
  log?: (line: string) => void;
}): Promise<{ server: RunningPostgres; manifest: BackupManifest; replaced: string | undefined }> {
  const manifest = await readManifest(options.backup);
  await checkFiles(options.backup, manifest);
  if (await answers(options.port, superuserPassword(options.dataDir))) {
    throw new BackupError(
      `the embedded server answers on port ${options.port}: stop the service, the worker and ` +
        'any other ledger process using this data folder, then restore',
    );
  }
  const pgdata = join(options.dataDir, 'pgdata');
  if (existsSync(join(pgdata, 'postmaster.pid'))) {
    throw new BackupError(
      `${pgdata} holds a postmaster.pid: a server may still run on it (another port?); stop it first`,
    );
  }
  let replaced: string | undefined;
  let owner: { uid: number; gid: number } | undefined;
  if (existsSync(pgdata)) {
    const stat = await fs.stat(pgdata);
    owner = { uid: stat.uid, gid: stat.gid };
    replaced = `${pgdata}.replaced-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await fs.rename(pgdata, replaced);
  }
  await fs.mkdir(options.dataDir, { recursive: true });
  await fs.cp(join(options.backup, 'data'), pgdata, { recursive: true });
  // The passwords the restored roles have are the backup's: they replace the folder's.
  if (existsSync(join(options.backup, CREDENTIALS))) {
    await fs.copyFile(join(options.backup, CREDENTIALS), join(options.dataDir, CREDENTIALS));
    await fs.chmod(join(options.dataDir, CREDENTIALS), 0o600);
  }
  await fs.chmod(pgdata, 0o700);
  owner ??= serverUserIds();
  if (owner) await chownTree(pgdata, owner);
  const lines: string[] = [];
  try {
    const server = await startEmbeddedPostgres({
      dataDir: options.dataDir,
      port: options.port,
      persistent: true,
      log: (line) => {
        lines.push(line);
        options.log?.(line);
      },
    });
    return { server, manifest, replaced };
  } catch (error) {
    throw new BackupError(
      `the server did not start on the restored copy (${error instanceof Error ? error.message : 'it exited'}); ` +
        `its last words: ${lines.slice(-5).join(' | ')}; the data it replaced is in ${replaced ?? '(none)'}`,
    );
  }
}

async function readManifest(backup: string): Promise<BackupManifest> {
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(
      await fs.readFile(join(backup, BACKUP_MANIFEST), 'utf8'),
    ) as BackupManifest;
  } catch (error) {
    throw new BackupError(
      `${backup} is not a ledger backup (${BACKUP_MANIFEST}: ${(error as Error).message})`,
    );
  }
  if (manifest.format !== FORMAT) {
    throw new BackupError(`${backup}: unknown backup format ${String(manifest.format)}`);
  }
  return manifest;
}

async function checkFiles(backup: string, manifest: BackupManifest): Promise<void> {
  for (const file of manifest.files) {
    const path = join(backup, 'data', ...file.path.split('/'));
    const hash = createHash('sha256');
    try {
      await pipeline(createReadStream(path), hash);
    } catch {
      throw new BackupError(`${backup}: ${file.path} is missing: the backup is incomplete`);
    }
    if (hash.digest('hex') !== file.sha256) {
      throw new BackupError(`${backup}: ${file.path} differs from when it was backed up`);
    }
  }
}

async function copyFolder(
  from: string,
  to: string,
  files: BackupManifest['files'],
  prefix: string,
): Promise<void> {
  await fs.mkdir(to, { recursive: true, mode: 0o700 });
  let entries;
  try {
    entries = await fs.readdir(from, { withFileTypes: true });
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return; // dropped meanwhile
    throw error;
  }
  for (const entry of entries) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (entry.name.startsWith('pgsql_tmp')) continue;
      if (prefix === '' && EMPTIED_FOLDERS.has(entry.name)) {
        await fs.mkdir(join(to, entry.name), { recursive: true, mode: 0o700 });
        continue;
      }
      await copyFolder(join(from, entry.name), join(to, entry.name), files, path);
    } else if (entry.isFile() && !SKIPPED_FILES.has(entry.name)) {
      await copyFile(join(from, entry.name), join(to, entry.name), files, path);
    }
  }
}

/** Copies one file (as it is now: pages changed meanwhile are repaired by the WAL replay). */
async function copyFile(
  from: string,
  to: string,
  files: BackupManifest['files'],
  path: string,
): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await fs.mkdir(dirname(to), { recursive: true, mode: 0o700 });
    await pipeline(createReadStream(from), tap, createWriteStream(to, { mode: 0o600 }));
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') {
      await fs.rm(to, { force: true });
      return; // removed meanwhile: the WAL replay knows
    }
    throw error;
  }
  files.push({ path: path.split(sep).join('/'), bytes, sha256: hash.digest('hex') });
}

async function writeFile(
  data: string,
  name: string,
  text: string,
  files: BackupManifest['files'],
): Promise<void> {
  await fs.writeFile(join(data, name), text, { mode: 0o600 });
  files.push({
    path: name,
    bytes: Buffer.byteLength(text),
    sha256: createHash('sha256').update(text).digest('hex'),
  });
}

async function answers(port: number, password: string): Promise<boolean> {
  const client = new Client({
    connectionString: embeddedServerUrl(port, password),
    connectionTimeoutMillis: 1000,
  });
  try {
    await client.connect();
    return true;
  } catch (error) {
    // Refused: nothing listens. Any other answer (even a refusal of the password) is a server.
    return (error as { code?: string }).code !== 'ECONNREFUSED';
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Run as root, the embedded server runs as the postgres user: its files must be its own. */
function serverUserIds(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: id('-u'), gid: id('-g') };
}

async function chownTree(path: string, owner: { uid: number; gid: number }): Promise<void> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  await fs.chown(path, owner.uid, owner.gid);
  for (const entry of await fs.readdir(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) await chownTree(child, owner);
    else await fs.chown(child, owner.uid, owner.gid);
  }
}
