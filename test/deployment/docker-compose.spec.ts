import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { apiKeysFromConfig } from '../../apps/api/src/auth/api-keys';
import { loadConfig } from '@ledger/runtime';

/**
 * `docker compose up` must be able to start: no Docker engine runs here, so the compose file's
 * environment is checked against the configuration the apps read at start-up, with the secrets
 * it asks for filled in as an operator would.
 */

const ROOT = join(__dirname, '..', '..');
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');

type Environment = Record<string, string>;
interface Service {
  build?: string;
  image?: string;
  command?: string[];
  environment?: Record<string, unknown>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
}

/** What an operator sets: every variable the file requires (`${NAME:?…}`), in a valid form. */
const SECRETS: Environment = {
  LEDGER_PROVIDER_NAME: 'Example Health CME',
  LEDGER_ACCREDITATION_TEXT:
    'Example Health CME is accredited by the ACCME to provide continuing medical education for physicians.',
  LEDGER_TITLE_IPOC: 'Point-of-Care Learning',
  LEDGER_TITLE_BOARD_REVIEW: 'NEJM Knowledge+ Board Review',
  LEDGER_API_KEYS: ['service', 'compliance', 'auditor', 'admin']
    .map((role) => `${role}:${randomBytes(16).toString('hex')}`)
    .join(','),
  LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
  LEDGER_DB_OWNER_PASSWORD: randomBytes(16).toString('hex'),
  LEDGER_DB_SERVICE_PASSWORD: randomBytes(16).toString('hex'),
};

/** Compose's interpolation: `${NAME}`, `${NAME:-default}`, `${NAME:?error}`. */
function interpolate(value: string, variables: Environment): string {
  return value.replace(
    /\$\{(\w+)(?::([-?])([^}]*))?\}/g,
    (_, name: string, kind?: string, rest?: string) => {
      const given = variables[name];
      if (given !== undefined && given !== '') return given;
      if (kind === '-') return rest ?? '';
      throw new Error(
        `docker compose up stops: ${name} is not set${kind === '?' ? ` (${rest})` : ''}`,
      );
    },
  );
}

/** A service's environment as the container gets it: `<<` merges resolved, values interpolated. */
function environmentOf(service: Service, variables: Environment): Environment {
  const merged: Record<string, unknown> = {};
  const { '<<': base, ...own } = service.environment ?? {};
  for (const part of [base, own]) Object.assign(merged, part ?? {});
  return Object.fromEntries(
    Object.entries(merged).map(([k, v]) => [k, interpolate(String(v), variables)]),
  );
}

/** The Dockerfile's ENV lines of the final stage: what every container built from it has. */
function dockerfileEnvironment(): Environment {
  const stages = text('Dockerfile').split(/^FROM /m);
  const last = stages[stages.length - 1] ?? '';
  return Object.fromEntries(
    [...last.matchAll(/^ENV (\w+)=(\S+)$/gm)].map((m) => [m[1]!, m[2]!] as [string, string]),
  );
}

/** The variables the README's configuration table documents: the configuration's schema. */
function documentedVariables(): Set<string> {
  const section = text('README.md').split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  return new Set([...section.matchAll(/^\| `(\w+)`/gm)].map((m) => m[1]!));
}

describe('docker-compose.yml against the configuration', () => {
  const compose = load(text('docker-compose.yml')) as { services: Record<string, Service> };
  const ours = Object.entries(compose.services).filter(([, s]) => s.build === '.');
  const env = (name: string) => ({
    ...dockerfileEnvironment(),
    ...environmentOf(compose.services[name]!, SECRETS),
  });

  it('asks for every secret the ledger needs in production, and for nothing it does not know', () => {
    const required = new Set(
      [...text('docker-compose.yml').matchAll(/\$\{(\w+):\?/g)].map((m) => m[1]!),
    );
    expect([...required].sort()).toEqual(Object.keys(SECRETS).sort());
    expect(ours.map(([name]) => name).sort()).toEqual(['api', 'migrate']);
  });

  it.each(['api', 'migrate'])(
    '%s: its environment passes the start-up checks of the configuration in production',
    (name) => {
      const environment = env(name);
      expect(environment.NODE_ENV).toBe('production');
      const config = loadConfig(environment);
      expect(config.production).toBe(true);
      if (name === 'api') expect(apiKeysFromConfig(config)).toHaveLength(4);
      expect(config.databaseUrl).toBeDefined();
    },
  );

  it.each(['api', 'migrate'])('%s: every variable it sets is a documented one', (name) => {
    const documented = documentedVariables();
    expect(documented.size).toBeGreaterThan(20);
    const unknown = Object.keys(env(name)).filter((k) => !documented.has(k));
    expect(unknown).toEqual([]);
  });

  it('without a required secret, compose stops before any container starts, naming it', () => {
    const { LEDGER_MASTER_KEY: _, ...rest } = SECRETS;
    expect(() => environmentOf(compose.services.api!, rest)).toThrow(
      /LEDGER_MASTER_KEY is not set \(set LEDGER_MASTER_KEY, 32 random bytes/,
    );
  });

  it("least privilege: the owner migrates once, the API runs as the service role without the owner's credentials", () => {
    const migrate = compose.services.migrate!;
    const api = compose.services.api!;
    const postgres = environmentOf(compose.services.postgres!, SECRETS);
    const user = (url: string | undefined) =>
      url ? decodeURIComponent(new URL(url).username) : undefined;
    const password = (url: string | undefined) =>
      url ? decodeURIComponent(new URL(url).password) : undefined;
    const m = env('migrate');
    const a = env('api');
    expect(migrate.command).toEqual(['node', 'dist/apps/cli/src/main.js', 'migrate']);
    expect(user(m.DATABASE_OWNER_URL)).toBe(postgres.POSTGRES_USER);
    expect(password(m.DATABASE_OWNER_URL)).toBe(postgres.POSTGRES_PASSWORD);
    expect(user(m.DATABASE_URL)).not.toBe(postgres.POSTGRES_USER);
    expect(a.DATABASE_URL).toBe(m.DATABASE_URL);
    expect(a.DATABASE_OWNER_URL).toBeUndefined();
    expect(Object.values(a).join('\n')).not.toContain(SECRETS.LEDGER_DB_OWNER_PASSWORD);
    expect(api.depends_on?.migrate?.condition).toBe('service_completed_successfully');
    // The operations port (keyless health details, metrics, docs) is not published.
    expect(api.ports).toEqual([`${a.PORT}:${a.PORT}`]);
    expect(compose.services.postgres!.ports).toBeUndefined();
  });
});
