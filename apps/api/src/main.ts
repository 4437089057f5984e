import 'reflect-metadata';
import type { RequestListener } from 'node:http';
import { createApp } from './bootstrap';
import { listenOperations } from './operations/operations-port';
import {
  startParsSimulatorProcess,
  type ParsSimulatorProcess,
} from './operations/pars-simulator-process';
import { loadConfig, openDatabase, runProcess } from '@ledger/runtime';

async function main(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const database = await openDatabase(config);
  // Outside production, with no PARS configured, the PARS simulator runs as a child process
  // (never in this process's memory) so that the embedded default reports claims end to end.
  let simulator: ParsSimulatorProcess | undefined;
  if (!config.boardGatewayUrl && !config.production && config.runBoardProcess) {
    simulator = await startParsSimulatorProcess();
    config.boardGatewayUrl = simulator.serviceUrl;
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
      `, boards: ACCME PARS ${simulator ? `simulator at ${simulator.serviceUrl}` : (config.boardGatewayUrl ?? 'none')})` +
      `; operations (health details, metrics, docs) ${typeof operationsAddress === 'object' && operationsAddress ? `on http://${config.operationsHost}:${operationsAddress.port}` : 'behind an API key'}\n`,
  );
  return async () => {
    operations?.close();
    await app.close();
    await simulator?.stop();
    await database.stop();
  };
}

runProcess('cme-ledger api', main);
