import { boardSimulatorOptionsFromEnv, startBoardSimulator } from './board-simulator';

/**
 * The board simulator as a process. Environment: BOARD_SIMULATOR_PORT (4010),
 * BOARD_SIMULATOR_HOST (127.0.0.1), BOARD_CONFIRM_AFTER_MS (86400000: a day),
 * BOARD_UNKNOWN_LEARNER_IDS (comma-separated ids no board knows, besides those from `000`).
 * Records live in memory: a restart forgets them.
 */
async function main(): Promise<void> {
  const options = boardSimulatorOptionsFromEnv();
  const simulator = await startBoardSimulator(options);
  const log = (msg: string, fields: Record<string, unknown> = {}): void => {
    process.stdout.write(
      `${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg, ...fields })}\n`,
    );
  };
  log('board simulator listening', { url: simulator.url, confirmAfterMs: options.confirmAfterMs });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void simulator.close().then(() => log('board simulator stopped'));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`board simulator failed to start: ${String(error)}\n`);
  process.exit(1);
});
