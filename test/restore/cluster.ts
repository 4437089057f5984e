import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../libs/database/src';

const run = promisify(execFile);

/** A PostgreSQL cluster of the drill's own: its folder, its port, its servers' URLs. */
export interface Cluster {
  dir: string;
  port: number;
  url(database: string): string;
  stop(): Promise<void>;
}

/** The server's tools refuse to run as root: run them as the postgres user then. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return undefined;
  const ids = (flag: string): number =>
    Number(execFileSync('id', [flag, 'postgres']).toString().trim());
  return { uid: ids('-u'), gid: ids('-g') };
}

/** Runs one of the server's tools; its output is in the error when it fails. */
export async function tool(
  bin: string,
  name: string,
  args: readonly string[],
  options: { asServerUser?: boolean } = {},
): Promise<string> {
  const user = options.asServerUser ? serverUser() : undefined;
  try {
    const { stdout } = await run(join(bin, name), [...args], {
      ...(user ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`${name} ${args.join(' ')} failed: ${e.stderr || e.stdout || e.message}`);
  }
}

/** A folder the server user owns (under a fresh temporary one). */
export function serverFolder(label: string): string {
  const parent = mkdtempSync(join(tmpdir(), `ledger-drill-${label}-`));
  chmodSync(parent, 0o755);
  const dir = join(parent, 'pgdata');
  mkdirSync(dir, { mode: 0o700 });
  const user = serverUser();
  if (user) {
    chownSync(parent, user.uid, user.gid);
    chownSync(dir, user.uid, user.gid);
  }
  return dir;
}

/** Starts a server on a cluster folder (initdb'd, or a physical copy) on a port of its own. */
export async function startCluster(bin: string, dir: string): Promise<Cluster> {
  const port = await freePort();
  await tool(
    bin,
    'pg_ctl',
    [
      '-D',
      dir,
      '-l',
      join(dir, '..', 'server.log'),
      '-w',
      '-t',
      '120',
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -k ${join(dir, '..')}`,
      'start',
    ],
    { asServerUser: true },
  );
  return {
    dir,
    port,
    url: (database) => `postgres://postgres@127.0.0.1:${port}/${database}`,
    async stop() {
      await tool(bin, 'pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop'], { asServerUser: true });
    },
  };
}

/** initdb (trust on loopback, replication allowed) and start: a fresh, empty cluster. */
export async function freshCluster(bin: string, label: string): Promise<Cluster> {
  const dir = serverFolder(label);
  await tool(
    bin,
    'initdb',
    ['-D', dir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'],
    { asServerUser: true },
  );
  return startCluster(bin, dir);
}

/** Removes a cluster's folder (and its temporary parent). */
export function removeCluster(dir: string): void {
  rmSync(join(dir, '..'), { recursive: true, force: true });
}
