import 'reflect-metadata';
import { resolveDatabase } from '@ledger/database';
import { createEventStore } from '@ledger/event-store';
import { openReadModels, ProjectionWorker } from '@ledger/read-models';
import { loadConfig } from '../../api/src/config';

/**
 * The worker: runs every projection (and, with the board reporting lib, the submission
 * process) against the log. Several workers may run: each projection is applied by the one
 * that holds its lease, the others stand by.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await resolveDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
  });
  const store = await createEventStore({
    kind: config.eventStore,
    postgresUrl: database.url,
    eventStoreDbConnectionString: config.eventStoreConnectionString,
  });
  const readModels = await openReadModels(database.url, { name: 'cme-ledger-worker' });
  const log = (message: string, fields: Record<string, unknown> = {}): void => {
    process.stdout.write(
      `${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: message, ...fields })}\n`,
    );
  };
  const batchSize = process.env.LEDGER_PROJECTION_BATCH
    ? Number.parseInt(process.env.LEDGER_PROJECTION_BATCH, 10)
    : 1000;
  const worker = new ProjectionWorker(readModels, store, { log, batchSize });
  worker.start();
  log('cme-ledger worker started', { projections: worker.runners.map((r) => r.projection.name) });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await worker.stop();
    await readModels.destroy();
    await store.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cme-ledger worker failed: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
