import type { INestApplication } from '@nestjs/common';
import { TEST_MAX_BACKDATE_MS } from '@ledger/domain/testing';
import { createApp } from '../../apps/api/src/bootstrap';
import type { AppRuntime } from '../../apps/api/src/app.module';
import { type LedgerConfig, loadConfig, migrateAsOwner } from '@ledger/runtime';
import { watchContract } from './contract-validator';
import { captureStdout } from './log-capture';
import { freshDatabaseWithRoles } from './test-database';

/** The instant the test apps' clock shows, so that answers do not depend on the day tests run. */
export const TEST_NOW = '2026-11-28T12:00:00.000Z';

export const KEYS = {
  service: 'dev-service-key',
  compliance: 'dev-compliance-key',
  auditor: 'dev-auditor-key',
  admin: 'dev-admin-key',
} as const;

export const bearer = (role: keyof typeof KEYS): { Authorization: string } => ({
  Authorization: `Bearer ${KEYS[role]}`,
});

export interface TestApp {
  app: INestApplication;
  /** The database as the server's superuser, for tests to look into directly. */
  databaseUrl: string;
  /** The least-privilege role the app runs as. */
  serviceUrl: string;
  databaseName: string;
  close(): Promise<void>;
}

/**
 * The real API on a fresh database of the test run's PostgreSQL server, deployed as in
 * production: migrations applied by the database's owner, the app running as a service role
 * with least privilege. The event store is PostgreSQL unless EVENT_STORE=eventstoredb and
 * EVENTSTORE_CONNECTION_STRING are set (the EventStoreDB workflow runs the store-agnostic
 * suites so), or `runtime` gives one.
 */
export async function startTestApp(
  label: string,
  overrides: Partial<LedgerConfig> = {},
  runtime: Pick<AppRuntime, 'eventStore'> = {},
): Promise<TestApp> {
  const db = await freshDatabaseWithRoles(label);
  const { EVENT_STORE, EVENTSTORE_CONNECTION_STRING, EVENTSTORE_CLAIM_STREAM_PREFIX } = process.env;
  // The e2e tests date facts at fixed instants (some years back) while the app runs on the
  // real clock, so the backdate bound (R15) is wide here; its own tests pass the default.
  const config = {
    ...loadConfig({
      NODE_ENV: 'test',
      EVENT_STORE,
      EVENTSTORE_CONNECTION_STRING,
      EVENTSTORE_CLAIM_STREAM_PREFIX,
    }),
    maxBackdateMs: TEST_MAX_BACKDATE_MS,
    ...overrides,
  };
  await migrateAsOwner({
    ownerUrl: db.ownerUrl,
    serviceUrl: db.serviceUrl,
    eventStore: config.eventStore,
  });
  const app = await createApp({
    config,
    databaseUrl: db.serviceUrl,
    databaseKind: 'external',
    ...runtime,
  });
  // Every answer the tests receive is checked against the OpenAPI document; close() fails
  // the test file if one broke it.
  const contract = watchContract(app.getHttpServer());
  await app.init();
  // As listen() does in main.ts: what was logged before the pino logger was in place goes out
  // now, and nothing more is buffered.
  app.flushLogs();
  return {
    app,
    databaseUrl: db.url,
    serviceUrl: db.serviceUrl,
    databaseName: db.name,
    async close() {
      await app.close();
      await db.drop();
      contract.assertClean();
    },
  };
}

export interface LoggedTestApp extends TestApp {
  /** What the app logged (JSON lines), from its start. */
  logs: ReturnType<typeof captureStdout>;
}

/**
 * startTestApp with its log captured at `level`: the capture is installed before the app
 * exists, so that its pino logger writes through it. close() stops capturing.
 */
export async function startLoggedTestApp(
  label: string,
  overrides: Partial<LedgerConfig> = {},
  level = 'info',
): Promise<LoggedTestApp> {
  const logs = captureStdout();
  const before = process.env.LOG_LEVEL;
  process.env.LOG_LEVEL = level;
  try {
    const t = await startTestApp(label, overrides);
    return {
      ...t,
      logs,
      async close() {
        logs.restore();
        await t.close();
      },
    };
  } catch (error) {
    logs.restore();
    throw error;
  } finally {
    if (before === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = before;
  }
}
