import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { createEventStore, eventStoreSessionSettings } from '@ledger/event-store';
import { createFeeds } from '@ledger/feed';
import {
  boardSubmissionEventCodec,
  openBoardSubmissionCommandBus,
  learnerEventCodec,
  PersonalDataCipher,
  StreamCommandExecutor,
  streamStateWeights,
} from '@ledger/ledger';
import { poolOf, ProjectionWorker } from '@ledger/read-models';
import {
  configuredBoardProcesses,
  eventStoreOptions,
  type BoardProcesses,
  loadConfig,
  openDatabase,
  openLedgerDataSource,
  runProcess,
} from '@ledger/runtime';

/**
 * The worker: runs every projection (and, with the board reporting lib, the submission
 * process) against the log. Several workers may run: each projection is applied by the one
 * that holds its lease, the others stand by.
 */
async function main(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const database = await openDatabase(config);
  // One pool for the process: the data source opens it (its migrations make the operational
  // tables with the read models'); the event store and the personal-data keys share it.
  const storeOptions = eventStoreOptions(config, database.url);
  const readModels = await openLedgerDataSource(database.url, {
    name: 'cme-ledger-worker',
    sessionSettings: eventStoreSessionSettings(storeOptions),
  });
  const store = await createEventStore({ ...storeOptions, postgresPool: poolOf(readModels) });
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
  let boards: BoardProcesses | undefined;
  let commands: INestApplicationContext | undefined;
  if (config.boardGatewayUrl && config.runBoardProcess) {
    // Bounded as the API's is (LEDGER_STREAM_CACHE_MB), by the same weights.
    const streams = new StreamCommandExecutor(store, {
      cacheBytes: config.streamCacheBytes,
      stateBytes: streamStateWeights,
    });
    const submissionCodec = boardSubmissionEventCodec();
    const learnerCodec = learnerEventCodec(
      new PersonalDataCipher(readModels, config.masterKey, config.keyCacheBytes),
    );
    const clock = (): Date => new Date();
    // The process's steps go through the CommandBus to their handlers, as in the API.
    const bus = await openBoardSubmissionCommandBus({
      streams,
      submissionCodec,
      learnerCodec,
      clock,
      settings: {
        timeZone: config.timeZone,
        maxClockSkewMs: config.maxClockSkewMs,
        maxBackdateMs: config.maxBackdateMs,
      },
    });
    commands = bus.context;
    const { commandBus } = bus;
    // R16: the learner match beside the board submission process, on one PARS client.
    boards = configuredBoardProcesses(config, readModels, store, {
      streams,
      learnerCodec,
      submissionCodec,
      send: (command) => commandBus.execute(command),
      clock,
      log,
    });
    boards?.start();
  }
  // The event feeds configured (LEDGER_FEED_*): one process at a time sends, by lease.
  const feeds = createFeeds(config.feed, readModels, store, log);
  for (const feed of feeds) feed.start();
  log('cme-ledger worker started', {
    projections: worker.runners.map((r) => r.projection.name),
    boardSubmissionProcess: boards ? config.boardGatewayUrl : 'off (no BOARD_GATEWAY_URL)',
    feeds: feeds.map((f) => f.name),
  });
  return async () => {
    for (const feed of feeds) await feed.stop();
    await boards?.stop();
    await commands?.close();
    await worker.stop();
    await readModels.destroy();
    await store.close();
    await database.stop();
  };
}

runProcess('cme-ledger worker', main);
