import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../support/eventually';
import { startProcess, type RunningProcess } from '../support/processes';

export const KEYS = {
  service: 'dev-service-key',
  compliance: 'dev-compliance-key',
  auditor: 'dev-auditor-key',
  admin: 'dev-admin-key',
} as const;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (typeof address !== 'object' || !address) throw new Error('no free port');
  return address.port;
}

export interface RunningService {
  url: string;
  process: RunningProcess;
  /** A JSON call of the API with a role's key; throws on a status other than `expect`. */
  call<T>(
    role: keyof typeof KEYS,
    method: string,
    path: string,
    body?: unknown,
    expect?: number,
  ): Promise<T>;
  stop(): Promise<void>;
}

/**
 * The compiled service as `npm start` runs it: PostgreSQL embedded (in a folder of its own), the
 * board simulator beside it, the development keys; on free ports of the loopback.
 */
export async function startService(): Promise<RunningService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cme-console-data-'));
  chmodSync(dataDir, 0o755); // as ./data is: the database server's own user must reach its folder
  const port = await freePort();
  const process = startProcess('api', {
    PORT: String(port),
    LEDGER_DATA_DIR: dataDir,
    EMBEDDED_POSTGRES_PORT: String(await freePort()),
    BOARD_SIMULATOR_PORT: String(await freePort()),
    LEDGER_OPERATIONS_PORT: String(await freePort()),
    BOARD_SWEEP_INTERVAL_MS: '500',
    LOG_LEVEL: 'info',
    NODE_ENV: 'development',
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await process.kill('SIGTERM');
    rmSync(dataDir, { recursive: true, force: true });
  };
  await eventually(
    async () => {
      process.assertRunning();
      const health = await fetch(`${url}/health`);
      if (!health.ok) throw new Error(`health ${health.status}`);
    },
    { timeoutMs: 180_000, intervalMs: 500 },
  ).catch(async (error: unknown) => {
    await stop();
    throw error;
  });
  return {
    url,
    process,
    async call<T>(
      role: keyof typeof KEYS,
      method: string,
      path: string,
      body?: unknown,
      expect = 200,
    ) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${KEYS[role]}`,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== expect)
        throw new Error(`${method} ${path} answered ${response.status}, not ${expect}: ${text}`);
      return JSON.parse(text) as T;
    },
    stop,
  };
}
