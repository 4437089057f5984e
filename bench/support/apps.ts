/**
 * Starting the service's apps (and a peer) as real processes for a benchmark: with the
 * environment and node flags of their npm scripts (package.json), as deployed, and stopped by
 * the benchmark that started them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCommandOf, type StartCommand } from '../soak/start-command';

/** The compiled repository's root (dist/bench/support → the repository). */
export const ROOT = join(__dirname, '..', '..', '..');

/** How `npm run <name>` starts an app: its environment, node flags and script. */
export function npmStartCommand(name: string): StartCommand {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    }
  ).scripts;
  const script = scripts[name];
  if (!script) throw new Error(`package.json has no "${name}" script`);
  return startCommandOf(script);
}

export interface StartedApp {
  name: string;
  child: ChildProcess;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
}

/** Starts `main` (relative to the repository) with the flags and environment given. */
export function startApp(
  name: string,
  command: StartCommand,
  env: Record<string, string>,
): StartedApp {
  const child = spawn(process.execPath, [...command.nodeFlags, join(ROOT, command.main)], {
    env: { ...process.env, ...command.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    child,
    async stop(): Promise<void> {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until GET <url>/health answers 2xx; fails if the app exits or the time runs out. */
export async function waitForHealth(
  app: StartedApp,
  url: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (app.child.exitCode !== null) throw new Error(`${app.name} exited (${app.child.exitCode})`);
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${app.name} did not answer ${url}/health within ${timeoutMs / 1000} s`);
}
