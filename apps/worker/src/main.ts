import 'reflect-metadata';
import { HttpBoardGateway } from '@ledger/boards';
import { createEventStore, runMigrations } from '@ledger/event-store';
import {
  BoardSubmissionEffectHandler,
  BoardSubmissionProcess,
  boardSubmissionEventCodec,
  ExecuteBoardSubmissionCommand,
  ExecuteBoardSubmissionCommandHandler,
  learnerEventCodec,
  LEDGER_MIGRATIONS,
  LEDGER_MIGRATIONS_LOCK,
  LEDGER_MIGRATIONS_TABLE,
  PersonalDataCipher,
  StreamCommandExecutor,
} from '@ledger/ledger';
import {
  acceptedUnconfirmedSubmissions,
  openReadModels,
  ProjectionWorker,
} from '@ledger/read-models';
import { Pool } from 'pg';
import { eventStoreOptions, loadConfig, openDatabase } from '@ledger/runtime';

/**
 * The worker: runs every projection (and, with the board reporting lib, the submission
 * process) against the log. Several workers may run: each projection is applied by the one
 * that holds its lease, the others stand by.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config);
  const store = await createEventStore(eventStoreOptions(config, database.url));
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
  // The board submission process, when a board gateway is configured.
  const pool = new Pool({
    connectionString: database.url,
    max: 4,
    application_name: 'cme-ledger-worker',
  });
  pool.on('error', () => undefined);
  let process_: BoardSubmissionProcess | undefined;
  if (config.boardGatewayUrl && config.runBoardProcess) {
    await runMigrations(pool, LEDGER_MIGRATIONS, LEDGER_MIGRATIONS_TABLE, LEDGER_MIGRATIONS_LOCK);
    const streams = new StreamCommandExecutor(store);
    const submissionCodec = boardSubmissionEventCodec();
    const clock = (): Date => new Date();
    // No command bus runs in the worker: the process's commands go to their handler directly.
    const handler = new ExecuteBoardSubmissionCommandHandler(streams, submissionCodec, clock, {
      timeZone: config.timeZone,
      maxClockSkewMs: config.maxClockSkewMs,
      maxBackdateMs: config.maxBackdateMs,
    });
    process_ = new BoardSubmissionProcess(
      readModels,
      store,
      new BoardSubmissionEffectHandler({
        streams,
        learnerCodec: learnerEventCodec(new PersonalDataCipher(pool, config.masterKey)),
        submissionCodec,
        gateway: new HttpBoardGateway({
          baseUrl: config.boardGatewayUrl,
          maxAttempts: config.boardGatewayMaxAttempts,
        }),
        send: (command) =>
          command instanceof ExecuteBoardSubmissionCommand
            ? handler.execute(command)
            : Promise.reject(new TypeError('the worker handles board submission commands only')),
        clock,
        log,
      }),
      {
        acceptedSubmissions: () => acceptedUnconfirmedSubmissions(readModels),
        sweepIntervalMs: config.boardSweepIntervalMs,
        log,
      },
    );
    process_.start();
  }
  log('cme-ledger worker started', {
    projections: worker.runners.map((r) => r.projection.name),
    boardSubmissionProcess: process_ ? config.boardGatewayUrl : 'off (no BOARD_GATEWAY_URL)',
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await process_?.stop();
    await worker.stop();
    await pool.end();
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
