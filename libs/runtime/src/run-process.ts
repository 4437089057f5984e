import { describeError } from './describe-error';

/**
 * Runs a long-lived process of the ledger (the API, the worker): `start` brings it up and
 * answers how to stop it; SIGINT or SIGTERM stops it once, then the process exits 0. A start
 * that fails prints `<name> failed to start` with the error (whose message names cause and fix)
 * and exits 1.
 */
export function runProcess(name: string, start: () => Promise<() => Promise<void>>): void {
  start()
    .then((stop) => {
      let stopping = false;
      const stopOnce = async (): Promise<void> => {
        if (stopping) return;
        stopping = true;
        await stop();
        process.exit(0);
      };
      process.once('SIGINT', () => void stopOnce());
      process.once('SIGTERM', () => void stopOnce());
    })
    .catch((error: unknown) => {
      process.stderr.write(
        `${name} failed to start: ${describeError(error)}\n${error instanceof Error ? (error.stack ?? '') : ''}\n`,
      );
      process.exit(1);
    });
}
