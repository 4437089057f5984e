import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the scripted board received. */
export interface ReceivedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: unknown;
}

/** How the scripted board answers its n-th request (n from 1). */
export interface ScriptedAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Wait this long before answering (to provoke the caller's timeout). */
  delayMs?: number;
}

export interface ScriptedBoardServer {
  url: string;
  requests: ReceivedRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 (a free port) that answers from a script, for testing the
 * HTTP board gateway without mocking `fetch`.
 */
export async function startScriptedBoardServer(
  script: (request: ReceivedRequest, n: number) => ScriptedAnswer,
): Promise<ScriptedBoardServer> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    void readBody(req).then((text) => {
      const key = req.headers['idempotency-key'];
      const received: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        idempotencyKey: Array.isArray(key) ? key[0] : key,
        body: text === '' ? undefined : (JSON.parse(text) as unknown),
      };
      requests.push(received);
      const answer = script(received, requests.length);
      const send = (): void => {
        if (res.destroyed) return;
        res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      };
      if (answer.delayMs === undefined) {
        send();
      } else {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, answer.delayMs);
        timers.add(timer);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
