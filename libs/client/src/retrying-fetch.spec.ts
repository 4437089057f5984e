import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { retryAfterMs, retryingFetch } from './retrying-fetch';

interface Seen {
  method: string;
  key: string | undefined;
  body: string;
}

type Script = (
  seen: Seen,
  n: number,
) => { status: number; headers?: Record<string, string>; body?: string } | 'drop';

/** A loopback server that answers each request as the script says ('drop': the socket is cut). */
async function scriptedServer(
  script: Script,
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const key = req.headers['idempotency-key'];
      const entry = {
        method: req.method ?? '',
        key: typeof key === 'string' ? key : undefined,
        body,
      };
      seen.push(entry);
      const answer = script(entry, seen.length);
      if (answer === 'drop') {
        req.socket.destroy();
        return;
      }
      res.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const post = (url: string, headers: Record<string, string> = {}): Request =>
  new Request(`${url}/v1/learners/ada/claims`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ activity: 'ipoc' }),
  });

const fast = { baseDelayMs: 1, maxDelayMs: 2000 };

describe('retryingFetch: retries on 503 and network errors, one Idempotency-Key per command', () => {
  let server: Awaited<ReturnType<typeof scriptedServer>> | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('retries a command answered 503, sending the same key and body each time, until it succeeds', async () => {
    server = await scriptedServer((_, n) =>
      n < 3 ? { status: 503, headers: { 'Retry-After': '0' } } : { status: 201 },
    );
    const response = await retryingFetch(fast)(post(server.url));
    expect(response.status).toBe(201);
    expect(server.seen).toHaveLength(3);
    const keys = new Set(server.seen.map((s) => s.key));
    expect(keys.size).toBe(1);
    expect([...keys][0]).toMatch(/^[A-Za-z0-9._:-]{1,200}$/);
    expect(server.seen.map((s) => s.body)).toEqual(Array(3).fill('{"activity":"ipoc"}'));
  });

  it('retries after a network error with the same key', async () => {
    server = await scriptedServer((_, n) => (n === 1 ? 'drop' : { status: 201 }));
    const response = await retryingFetch(fast)(post(server.url));
    expect(response.status).toBe(201);
    expect(server.seen).toHaveLength(2);
    expect(server.seen[0]?.key).toBe(server.seen[1]?.key);
  });

  it("keeps the caller's own Idempotency-Key, and gives each new command a key of its own", async () => {
    server = await scriptedServer(() => ({ status: 201 }));
    const send = retryingFetch(fast);
    await send(post(server.url, { 'Idempotency-Key': 'claim-ipoc-1' }));
    await send(post(server.url));
    await send(post(server.url));
    expect(server.seen[0]?.key).toBe('claim-ipoc-1');
    expect(server.seen[1]?.key).not.toBe(server.seen[2]?.key);
  });

  it('waits at least as long as Retry-After asks', async () => {
    server = await scriptedServer((_, n) =>
      n === 1 ? { status: 503, headers: { 'Retry-After': '1' } } : { status: 200 },
    );
    const started = Date.now();
    const response = await retryingFetch(fast)(
      new Request(`${server.url}/v1/learners/ada/credits`),
    );
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(server.seen[0]?.key).toBeUndefined();
  });

  it('gives the 503 back when Retry-After asks for longer than it may wait', async () => {
    server = await scriptedServer(() => ({ status: 503, headers: { 'Retry-After': '120' } }));
    const response = await retryingFetch(fast)(post(server.url));
    expect(response.status).toBe(503);
    expect(server.seen).toHaveLength(1);
  });

  it('does not retry a refusal (422), and gives up after the attempts allowed', async () => {
    server = await scriptedServer((_, n) =>
      n === 1 ? { status: 422, body: '{"code":"claim-window-closed"}' } : { status: 503 },
    );
    const send = retryingFetch({ ...fast, attempts: 3 });
    expect((await send(post(server.url))).status).toBe(422);
    expect(server.seen).toHaveLength(1);
    expect((await send(post(server.url))).status).toBe(503);
    expect(server.seen).toHaveLength(4);
  });

  it('retries 409 request-in-progress (the first try still running) but no other conflict', async () => {
    server = await scriptedServer((_, n) =>
      n === 1
        ? { status: 409, headers: { 'Retry-After': '0' }, body: '{"code":"request-in-progress"}' }
        : n === 2
          ? { status: 201 }
          : { status: 409, body: '{"code":"concurrency-conflict"}' },
    );
    const send = retryingFetch(fast);
    expect((await send(post(server.url))).status).toBe(201);
    expect((await send(post(server.url))).status).toBe(409);
    expect(server.seen).toHaveLength(3);
  });
});

describe('retryAfterMs', () => {
  it('reads seconds and HTTP dates, and nothing else', () => {
    const now = Date.parse('2026-11-28T12:00:00Z');
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Sat, 28 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Sat, 28 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
