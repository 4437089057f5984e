import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { ParsBoardGateway } from '@ledger/boards';
import { createEventStore, eventStoreSessionSettings, runMigrations } from '@ledger/event-store';
import {
  createFeeds,
  FEED_MIGRATIONS,
  FEED_MIGRATIONS_LOCK,
  FEED_MIGRATIONS_TABLE,
} from '@ledger/feed';
import {
  BoardSubmissionEffectHandler,
  BoardSubmissionProcess,
  boardSubmissionEventCodec,
  openBoardSubmissionCommandBus,
  learnerEventCodec,
  LEDGER_MIGRATIONS,
  LEDGER_MIGRATIONS_LOCK,
  LEDGER_MIGRATIONS_TABLE,
  PersonalDataCipher,
  StreamCommandExecutor,
} from '@ledger/ledger';
import {
  acceptedUnconfirmedSubmissions,
  unfinishedCorrections,
  openReadModels,
  poolOf,
  ProjectionWorker,
} from '@ledger/read-models';
import { eventStoreOptions, loadConfig, openDatabase } from '@ledger/runtime';

/**
 * The worker: runs every projection (and, with the board reporting lib, the submission
 * process) against the log. Several workers may run: each projection is applied by the one
 * that holds its lease, the others stand by.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config);
  // One pool for the process: the read models' data source opens it, the event store and the
  // personal-data keys share it.
  const storeOptions = eventStoreOptions(config, database.url);
  const readModels = await openReadModels(database.url, {
    name: 'cme-ledger-worker',
    sessionSettings: eventStoreSessionSettings(storeOptions),
  });
  const pool = poolOf(readModels);
  const store = await createEventStore({ ...storeOptions, postgresPool: pool });
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
  let process_: BoardSubmissionProcess | undefined;
  let commands: INestApplicationContext | undefined;
  if (config.boardGatewayUrl && config.runBoardProcess) {
    await runMigrations(pool, LEDGER_MIGRATIONS, LEDGER_MIGRATIONS_TABLE, LEDGER_MIGRATIONS_LOCK);
    const streams = new StreamCommandExecutor(store);
    const submissionCodec = boardSubmissionEventCodec();
    const clock = (): Date => new Date();
    // The process's steps go through the CommandBus to their handlers, as in the API.
    const bus = await openBoardSubmissionCommandBus({
      streams,
      submissionCodec,
      clock,
      settings: {
        timeZone: config.timeZone,
        maxClockSkewMs: config.maxClockSkewMs,
        maxBackdateMs: config.maxBackdateMs,
      },
    });
    commands = bus.context;
    const { commandBus } = bus;
    process_ = new BoardSubmissionProcess(
      readModels,
      store,
      new BoardSubmissionEffectHandler({
        streams,
        learnerCodec: learnerEventCodec(new PersonalDataCipher(pool, config.masterKey)),
        submissionCodec,
        gateway: new ParsBoardGateway({
          baseUrl: config.boardGatewayUrl,
          providerId: config.parsProviderId,
          ...(config.parsApiKey === undefined ? {} : { apiKey: config.parsApiKey }),
          maxAttempts: config.boardGatewayMaxAttempts,
        }),
        send: (command) => commandBus.execute(command),
        clock,
        log,
      }),
      {
        acceptedSubmissions: () => acceptedUnconfirmedSubmissions(readModels),
        unfinishedCorrections: () => unfinishedCorrections(readModels),
        sweepIntervalMs: config.boardSweepIntervalMs,
        log,
      },
    );
    process_.start();
  }
  // The event feeds configured (LEDGER_FEED_*): one process at a time sends, by lease.
  const feeds = createFeeds(config.feed, readModels, store, log);
  if (feeds.length > 0)
    await runMigrations(pool, FEED_MIGRATIONS, FEED_MIGRATIONS_TABLE, FEED_MIGRATIONS_LOCK);
  for (const feed of feeds) feed.start();
  log('cme-ledger worker started', {
    projections: worker.runners.map((r) => r.projection.name),
    boardSubmissionProcess: process_ ? config.boardGatewayUrl : 'off (no BOARD_GATEWAY_URL)',
    feeds: feeds.map((f) => f.name),
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    for (const feed of feeds) await feed.stop();
    await process_?.stop();
    await commands?.close();
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
