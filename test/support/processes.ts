import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A compiled app of this repo (npm test builds before jest runs). */
export function compiledApp(app: 'api' | 'worker' | 'pars-simulator' | 'cli'): string {
  const file = join(ROOT, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(file))
    throw new Error(`${file} is missing: run npm run build (npm test does) before these tests`);
  return file;
}

export interface RunningProcess {
  child: ChildProcess;
  output(): string;
  /** Throws, with the process's last output, if it has exited. */
  assertRunning(): void;
  /**
   * Resolves once the process has written a line matching `pattern` (its "ready" line); rejects,
   * with its last output, as soon as it exits before. No time budget of its own: a cold start
   * on a loaded machine takes what it takes, and the test's own timeout bounds a hang.
   */
  waitForOutput(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

/** Starts a compiled app as a real child process, with its output kept for diagnosis. */
export function startProcess(
  app: 'api' | 'worker' | 'pars-simulator' | 'cli',
  env: Record<string, string>,
): RunningProcess {
  const child = spawn(process.execPath, [compiledApp(app)], {
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  /** All the output so far (`out` keeps only its tail), for waitForOutput. */
  let lines = '';
  const waiters = new Set<() => void>();
  const take = (d: Buffer): void => {
    out = (out + d.toString()).slice(-20000);
    lines += d.toString();
    for (const check of waiters) check();
  };
  child.stdout?.on('data', take);
  child.stderr?.on('data', take);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      for (const check of waiters) check();
      resolve();
    }),
  );
  const hasExited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const exitError = (): Error =>
    new Error(`${app} exited (${child.exitCode ?? child.signalCode}):\n${out.slice(-4000)}`);
  return {
    child,
    output: () => out,
    assertRunning() {
      if (hasExited()) throw exitError();
    },
    waitForOutput(pattern) {
      return new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (pattern.test(lines)) {
            waiters.delete(check);
            resolve();
          } else if (hasExited()) {
            waiters.delete(check);
            reject(exitError());
          }
        };
        waiters.add(check);
        check();
      });
    },
    async kill(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Runs a compiled app with arguments to its end (the CLI): its exit code and output. */
export function runToEnd(
  app: 'cli',
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [compiledApp(app), ...args], {
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
