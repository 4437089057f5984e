import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The PARS simulator running as a child process of `npm start`. */
export interface ParsSimulatorProcess {
  url: string;
  serviceUrl: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 15_000;

/**
 * Starts the compiled PARS simulator (apps/pars-simulator) as its own process, so that its
 * records never take the API's memory, and waits for the line that says where it listens. The
 * port is PARS_SIMULATOR_PORT (4010); when that is taken, a free one. The child ends with the
 * API: on `stop()`, and when the API's end of its stdin pipe closes.
 */
export async function startParsSimulatorProcess(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ParsSimulatorProcess> {
  const main = join(__dirname, '..', '..', '..', 'pars-simulator', 'src', 'main.js');
  if (!existsSync(main)) {
    throw new Error(
      `the PARS simulator is not built (${main} is missing): run npm run build, or set BOARD_GATEWAY_URL`,
    );
  }
  const port = env['PARS_SIMULATOR_PORT'] || '4010';
  return spawnOnce(main, env, port).catch((error: unknown) =>
    port === '0' ? Promise.reject(error) : spawnOnce(main, env, '0'),
  );
}

function spawnOnce(
  main: string,
  env: NodeJS.ProcessEnv,
  port: string,
): Promise<ParsSimulatorProcess> {
  const child = spawn(process.execPath, [main], {
    env: {
      ...env,
      PARS_SIMULATOR_PORT: port,
      PARS_SIMULATOR_EXIT_WITH_PARENT: 'true',
      PARS_DECIDE_AFTER_MS: env['PARS_DECIDE_AFTER_MS'] || env['BOARD_CONFIRM_AFTER_MS'] || '',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let errors = '';
  child.stderr?.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      reject(
        new Error(`the PARS simulator did not start within ${STARTUP_TIMEOUT_MS} ms: ${errors}`),
      );
    }, STARTUP_TIMEOUT_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the PARS simulator exited (${code}) before listening: ${errors.trim()}`));
    });
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        const { url, serviceUrl } = JSON.parse(line) as { url: string; serviceUrl: string };
        child.removeAllListeners('exit');
        child.stdout?.resume();
        resolve({ url, serviceUrl, stop: () => stopChild(child) });
      } catch {
        child.kill('SIGTERM');
        reject(new Error(`the PARS simulator said something unexpected: ${line}`));
      }
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
