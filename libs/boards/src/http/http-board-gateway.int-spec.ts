import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BoardUnavailableError,
  type BoardSubmissionRequest,
  type BoardSubmissionResult,
} from '../board-gateway.port';
import {
  startScriptedBoardServer,
  type ScriptedAnswer,
  type ScriptedBoardServer,
} from '../testing/scripted-board-server';
import { HttpBoardGateway, type HttpBoardGatewayOptions } from './http-board-gateway';

const request: BoardSubmissionRequest = {
  submissionId: '2b0c7d4e-5f6a-5b1c-8d2e-3f4a5b6c7d8e',
  board: 'ABIM',
  attempt: 1,
  learner: {
    learnerBoardId: '123456',
    firstName: 'Ada',
    lastName: 'Quinn',
    birthMonth: 3,
    birthDay: 14,
    licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
  },
  activity: 'ipoc',
  twelfths: '18',
  credits: '1.50',
  completedAt: '2026-03-02T10:00:00.000Z',
};

const accepted = (boardRecordId = 'ABIM-1'): ScriptedAnswer => ({
  status: 201,
  body: { boardRecordId, status: 'accepted' },
});
const unavailable: ScriptedAnswer = { status: 503, body: { reason: 'maintenance window' } };

describe('HttpBoardGateway against a real HTTP board', () => {
  let board: ScriptedBoardServer | undefined;
  let sleeps: number[];

  const gatewayFor = (
    script: (n: number) => ScriptedAnswer,
    options: Partial<HttpBoardGatewayOptions> = {},
  ): Promise<HttpBoardGateway> =>
    startScriptedBoardServer((_request, n) => script(n)).then((server) => {
      board = server;
      return new HttpBoardGateway({
        baseUrl: server.url,
        timeoutMs: 1000,
        maxAttempts: 4,
        baseDelayMs: 100,
        maxDelayMs: 2000,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
        ...options,
      });
    });

  const requestsMade = (): number => board?.requests.length ?? 0;

  beforeEach(() => {
    sleeps = [];
  });

  afterEach(async () => {
    await board?.close();
    board = undefined;
  });

  it('accepts after 5xx answers within the budget, backing off exponentially with jitter', async () => {
    const gateway = await gatewayFor((n) => (n <= 2 ? unavailable : accepted('ABIM-77')));

    const result = await gateway.submit(request);

    expect(result).toEqual<BoardSubmissionResult>({
      outcome: 'accepted',
      boardRecordId: 'ABIM-77',
    });
    expect(requestsMade()).toBe(3);
    // random 0.5 of a ceiling of 100 ms, then 200 ms.
    expect(sleeps).toEqual([50, 100]);
  });

  it('answers unavailable (retryable) when the outage outlasts the attempt budget', async () => {
    const gateway = await gatewayFor(() => unavailable, { maxAttempts: 3 });

    const result = await gateway.submit(request);

    expect(result.outcome).toBe('unavailable');
    expect(result).toMatchObject({
      reason: expect.stringContaining('ABIM is unavailable: HTTP 503'),
    });
    expect(result).toMatchObject({ reason: expect.stringContaining('maintenance window') });
    expect(result).toMatchObject({ reason: expect.stringContaining('3 attempts') });
    expect(requestsMade()).toBe(3);
    expect(sleeps).toHaveLength(2);
  });

  it('stops when the next wait would overrun the total time budget', async () => {
    let clock = 0;
    // The clock is the test's, but each request's own timeout (what is left of the budget, at
    // most timeoutMs) is real: seconds, not milliseconds, so that a loaded machine answers in it.
    const gateway = await gatewayFor(() => unavailable, {
      maxAttempts: 10,
      baseDelayMs: 1000,
      totalBudgetMs: 2500,
      random: () => 0.999,
      now: () => clock,
      sleep: async (ms) => {
        sleeps.push(ms);
        clock += ms;
      },
    });

    const result = await gateway.submit(request);

    expect(result.outcome).toBe('unavailable');
    // Waits of 999 ms, then 1999 ms would end at 2998 ms, past the 2500 ms budget.
    expect(sleeps).toEqual([999]);
    expect(requestsMade()).toBe(2);
  });

  it('answers rejected at once, with the board reason, on a 4xx: exactly one request', async () => {
    const gateway = await gatewayFor(() => ({
      status: 422,
      body: { reason: 'ABIM has no diplomate with ABIM ID 000123' },
    }));

    const result = await gateway.submit(request);

    expect(result).toEqual<BoardSubmissionResult>({
      outcome: 'rejected',
      reason: 'ABIM has no diplomate with ABIM ID 000123',
    });
    expect(requestsMade()).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('names the HTTP status when a 4xx carries no reason', async () => {
    const gateway = await gatewayFor(() => ({ status: 404 }));

    await expect(gateway.submit(request)).resolves.toEqual({
      outcome: 'rejected',
      reason: 'the board refused the request (HTTP 404)',
    });
    expect(requestsMade()).toBe(1);
  });

  it('retries a 429, waiting at least what Retry-After asks (capped by maxDelayMs)', async () => {
    const gateway = await gatewayFor((n) =>
      n === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : accepted(),
    );

    await expect(gateway.submit(request)).resolves.toMatchObject({ outcome: 'accepted' });
    expect(sleeps).toEqual([1000]);
  });

  it('times out a slow answer and retries it', async () => {
    const gateway = await gatewayFor(
      (n) => (n === 1 ? { ...accepted(), delayMs: 10_000 } : accepted()),
      // Long enough that the board has read the first request before the gateway gives up on
      // it, however loaded the machine; otherwise the script's numbering shifts.
      { timeoutMs: 1000 },
    );

    const result = await gateway.submit(request);

    expect(result).toEqual<BoardSubmissionResult>({ outcome: 'accepted', boardRecordId: 'ABIM-1' });
    expect(requestsMade()).toBe(2);
  });

  it('answers unavailable, naming the timeout, when every answer is too slow', async () => {
    const gateway = await gatewayFor(() => ({ ...accepted(), delayMs: 2000 }), {
      timeoutMs: 50,
      maxAttempts: 2,
    });

    const result = await gateway.submit(request);

    expect(result).toMatchObject({
      outcome: 'unavailable',
      reason: expect.stringContaining('no answer within 50 ms'),
    });
    // The gateway's own account of its attempts: on a loaded machine the 50 ms can run out
    // before the board's side of this same process has even read the second request, so the
    // board's count is not the measure here.
    expect(result.outcome === 'unavailable' && result.reason).toContain('(2 attempts in');
    expect(sleeps).toHaveLength(1);
  });

  it('sends the submission id as the idempotency key, the same on every retry', async () => {
    const gateway = await gatewayFor(
      (n) => (n === 1 ? unavailable : n === 2 ? { ...accepted(), delayMs: 10_000 } : accepted()),
      // A timeout the scheduler of a loaded machine cannot beat: the board must have read the
      // second request before the gateway gives up on it, or the script's numbering shifts.
      { timeoutMs: 1000 },
    );

    await gateway.submit(request);

    const requests = board?.requests ?? [];
    expect(requests).toHaveLength(3);
    for (const received of requests) {
      expect(received.method).toBe('POST');
      expect(received.path).toBe('/boards/ABIM/submissions');
      expect(received.idempotencyKey).toBe(request.submissionId);
      expect(received.body).toEqual(request);
    }
  });

  it('answers unavailable with the network error when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const gateway = new HttpBoardGateway({
      baseUrl: `http://127.0.0.1:${port}`,
      maxAttempts: 2,
      sleep: async () => undefined,
    });

    await expect(gateway.submit(request)).resolves.toMatchObject({
      outcome: 'unavailable',
      reason: expect.stringContaining('network error: ECONNREFUSED'),
    });
  });

  describe('recordStatus', () => {
    it('reads the board record, retrying a 5xx', async () => {
      const gateway = await gatewayFor((n) =>
        n === 1
          ? unavailable
          : {
              status: 200,
              body: { found: true, confirmed: true, confirmedAt: '2026-03-03T10:00:00.000Z' },
            },
      );

      await expect(gateway.recordStatus('ABIM', request.submissionId)).resolves.toEqual({
        found: true,
        confirmed: true,
        confirmedAt: '2026-03-03T10:00:00.000Z',
      });
      expect(board?.requests.map((r) => [r.method, r.path])).toEqual([
        ['GET', `/boards/ABIM/submissions/${request.submissionId}`],
        ['GET', `/boards/ABIM/submissions/${request.submissionId}`],
      ]);
    });

    it('throws BoardUnavailableError when the board stays down', async () => {
      const gateway = await gatewayFor(() => unavailable, { maxAttempts: 2 });

      await expect(gateway.recordStatus('ABIM', request.submissionId)).rejects.toBeInstanceOf(
        BoardUnavailableError,
      );
      expect(requestsMade()).toBe(2);
    });
  });
});
