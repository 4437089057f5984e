import type { INestApplication } from '@nestjs/common';
import { TEST_MAX_BACKDATE_MS } from '@ledger/domain';
import { createApp } from '../../apps/api/src/bootstrap';
import type { AppRuntime } from '../../apps/api/src/app.module';
import { loadConfig, type LedgerConfig } from '../../apps/api/src/config';
import { freshDatabase } from './test-database';

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
  databaseUrl: string;
  databaseName: string;
  close(): Promise<void>;
}

/**
 * The real API on a fresh database of the test run's PostgreSQL server. The event store is
 * PostgreSQL unless EVENT_STORE=eventstoredb and EVENTSTORE_CONNECTION_STRING are set (the
 * EventStoreDB workflow runs the store-agnostic suites so), or `runtime` gives one.
 */
export async function startTestApp(
  label: string,
  overrides: Partial<LedgerConfig> = {},
  runtime: Pick<AppRuntime, 'eventStore'> = {},
): Promise<TestApp> {
  const db = await freshDatabase(label);
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
  const app = await createApp({
    config,
    databaseUrl: db.url,
    databaseKind: 'external',
    ...runtime,
  });
  await app.init();
  return {
    app,
    databaseUrl: db.url,
    databaseName: db.name,
    async close() {
      await app.close();
      await db.drop();
    },
  };
}
