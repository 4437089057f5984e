import { describeError } from '@ledger/runtime';
import { parsSimulatorOptionsFromEnv, startParsSimulator } from './pars-simulator';

/**
 * The PARS simulator as its own process. Environment: PARS_SIMULATOR_PORT (4010; 0 picks a
 * free one), PARS_SIMULATOR_HOST (127.0.0.1), PARS_DECIDE_AFTER_MS (86400000: a day),
 * PARS_UNKNOWN_LEARNER_IDS and PARS_REJECT_LATER_IDS (comma-separated learner ids),
 * PARS_REGISTER_ACTIVITIES (true: start with the configured activities registered).
 * Its first line on stdout is a JSON object with `url` and `serviceUrl`, which a parent
 * process (the API under `npm start`) reads. Records live in memory: a restart forgets them.
 */
async function main(): Promise<void> {
  const options = parsSimulatorOptionsFromEnv();
  const simulator = await startParsSimulator(options);
  const log = (msg: string, fields: Record<string, unknown> = {}): void => {
    process.stdout.write(
      `${JSON.stringify({ level: 'info', time: new Date().toISOString(), msg, ...fields })}\n`,
    );
  };
  log('PARS simulator listening', {
    url: simulator.url,
    serviceUrl: simulator.serviceUrl,
    decideAfterMs: options.decideAfterMs,
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void simulator.close().then(() => {
      log('PARS simulator stopped');
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A parent that dies without a signal (the API under `npm start`) closes the pipe.
  if (process.env['PARS_SIMULATOR_EXIT_WITH_PARENT'] === 'true')
    process.stdin.once('end', stop).resume();
}

main().catch((error: unknown) => {
  process.stderr.write(`PARS simulator failed to start: ${describeError(error)}\n`);
  process.exit(1);
});
