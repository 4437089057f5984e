import 'reflect-metadata';
import type { RequestListener } from 'node:http';
import {
  startBoardSimulator,
  type RunningBoardSimulator,
} from '../../board-simulator/src/board-simulator';
import { createApp } from './bootstrap';
import { listenOperations } from './operations/operations-port';
import { loadConfig, openDatabase } from '@ledger/runtime';

async function main(): Promise<void> {
  const config = loadConfig();
  const database = await openDatabase(config);
  // Outside production, with no board gateway configured, a board simulator runs next to the
  // service so that the embedded default submits claims end to end.
  let simulator: RunningBoardSimulator | undefined;
  if (!config.boardGatewayUrl && !config.production && config.runBoardProcess) {
    const port = Number.parseInt(process.env.BOARD_SIMULATOR_PORT ?? '4010', 10);
    simulator = await startBoardSimulator({ port }).catch(() => startBoardSimulator({ port: 0 }));
    config.boardGatewayUrl = simulator.url;
  }
  const app = await createApp({ config, databaseUrl: database.url, databaseKind: database.kind });
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(config.port, host);
  // Outside production a busy operations port gives way to a free one, as the simulator's does.
  const expressApp = app.getHttpAdapter().getInstance() as RequestListener;
  const operations =
    config.operationsPort === undefined
      ? undefined
      : await listenOperations(expressApp, config.operationsPort, config.operationsHost).catch(
          (error: unknown) => {
            if (config.production) throw error;
            return listenOperations(expressApp, 0, config.operationsHost);
          },
        );
  const operationsAddress = operations?.address();
  process.stdout.write(
    `cme-ledger api listening on http://${host}:${config.port} (database: ${database.kind}, event store: ${config.eventStore}` +
      `, boards: ${simulator ? `simulator at ${simulator.url}` : (config.boardGatewayUrl ?? 'none')})` +
      `; operations (health details, metrics, docs) ${typeof operationsAddress === 'object' && operationsAddress ? `on http://${config.operationsHost}:${operationsAddress.port}` : 'behind an API key'}\n`,
  );
  const stop = async (): Promise<void> => {
    operations?.close();
    await app.close();
    await simulator?.close();
    await database.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(
    `cme-ledger api failed to start: ${error instanceof Error ? error.stack : String(error)}\n`,
  );
  process.exit(1);
});
