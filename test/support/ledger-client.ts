import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLedgerClient, type LedgerClient, type RetryOptions } from '@ledger/client';
import { KEYS, type TestApp } from './test-app';

/**
 * The typed client (libs/client) of a test app, as another service uses it, with the API key of
 * `role`. The app listens on an ephemeral port of 127.0.0.1 the first time (supertest then sends
 * to that port too). No retries unless asked: a test sees each answer as the API gave it.
 */
export async function ledgerClient(
  t: TestApp,
  role: keyof typeof KEYS,
  options: { retry?: RetryOptions; headers?: Record<string, string> } = {},
): Promise<LedgerClient> {
  const server = t.app.getHttpServer() as Server;
  if (!server.listening) await t.app.listen(0, '127.0.0.1');
  const { port } = server.address() as AddressInfo;
  return createLedgerClient({
    baseUrl: `http://127.0.0.1:${port}`,
    apiKey: KEYS[role],
    retry: options.retry ?? { attempts: 1 },
    ...(options.headers ? { headers: options.headers } : {}),
  });
}
