import { HttpBoardGateway, type BoardSubmissionRequest } from '@ledger/boards';
import { eventually } from '../../../test/support/eventually';
import type { BoardRecordView } from './board-records';
import { startBoardSimulator, type RunningBoardSimulator } from './board-simulator';

const CONFIRM_AFTER_MS = 400;

const submission = (overrides: Partial<BoardSubmissionRequest> = {}): BoardSubmissionRequest => ({
  submissionId: 'c5f0a3d2-1b4e-5c6d-8e7f-9a0b1c2d3e4f',
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
  ...overrides,
});

describe('board simulator over HTTP', () => {
  let simulator: RunningBoardSimulator;

  beforeAll(async () => {
    simulator = await startBoardSimulator({
      port: 0,
      confirmAfterMs: CONFIRM_AFTER_MS,
      unknownLearnerIds: ['654321'],
    });
  });

  afterAll(() => simulator.close());

  beforeEach(async () => {
    await fetch(`${simulator.url}/admin/reset`, { method: 'POST' });
  });

  const call = async (
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${simulator.url}${path}`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };

  const submit = (request: BoardSubmissionRequest, board = request.board) =>
    call('POST', `/boards/${board}/submissions`, request, {
      'Idempotency-Key': request.submissionId,
    });

  const records = async (): Promise<BoardRecordView[]> =>
    (await call('GET', '/admin/records')).body['records'] as BoardRecordView[];

  const setFaults = (faults: Record<string, unknown>) => call('POST', '/admin/faults', faults);

  describe('submissions', () => {
    it('accepts a complete submission with 201 and a board record id', async () => {
      const answer = await submit(submission());

      expect(answer.status).toBe(201);
      expect(answer.body).toEqual({ boardRecordId: 'ABIM-000001', status: 'accepted' });
      expect(await records()).toEqual([
        expect.objectContaining({
          board: 'ABIM',
          submissionId: submission().submissionId,
          boardRecordId: 'ABIM-000001',
          confirmedAt: null,
          receivedCount: 1,
        }),
      ]);
    });

    it('accepts a duplicate idempotently: the same record, one record, received twice', async () => {
      const first = await submit(submission());
      const again = await submit(submission({ attempt: 1 }));

      expect(first.status).toBe(201);
      expect(again.status).toBe(200);
      expect(again.body['boardRecordId']).toBe(first.body['boardRecordId']);
      const listed = await records();
      expect(listed).toHaveLength(1);
      expect(listed[0]?.receivedCount).toBe(2);
    });

    it('refuses a board id in the wrong format with 422 and a reason that does not echo it', async () => {
      const request = submission();
      const answer = await submit({
        ...request,
        learner: { ...request.learner, learnerBoardId: '12345' },
      });

      expect(answer.status).toBe(422);
      expect(answer.body['reason']).toBe(
        'ABIM needs a valid ABIM ID (6 digits); correct the CME profile, then retry',
      );
      expect(await records()).toEqual([]);
    });

    it.each([
      ['an id starting with 000', '000123'],
      ['an id listed as unknown', '654321'],
    ])('refuses an unknown learner (%s) with 422', async (_case, learnerBoardId) => {
      const request = submission();
      const answer = await submit({ ...request, learner: { ...request.learner, learnerBoardId } });

      expect(answer.status).toBe(422);
      expect(answer.body['reason']).toBe(
        'ABIM could not match the learner: no record with that ABIM ID (6 digits), name and ' +
          'date of birth; check them in the CME profile, then retry',
      );
      expect(String(answer.body['reason'])).not.toContain(learnerBoardId);
    });

    it('accepts a corrected retry of a refused submission under the same submission id', async () => {
      const request = submission();
      const refused = await submit({
        ...request,
        learner: { ...request.learner, learnerBoardId: '000123' },
      });
      const corrected = await submit({ ...request, attempt: 2 });

      expect(refused.status).toBe(422);
      expect(corrected.status).toBe(201);
      expect(await records()).toEqual([expect.objectContaining({ attempt: 2, receivedCount: 2 })]);
    });

    it('refuses missing fields the catalogue says the board needs, naming each', async () => {
      const request = submission();
      const answer = await submit({
        ...request,
        learner: { ...request.learner, firstName: ' ', birthDay: 31, birthMonth: 2 },
      });

      expect(answer.status).toBe(422);
      expect(answer.body['reason']).toBe(
        'ABIM needs the first name, a valid month and day of birth; correct the CME profile, then retry',
      );
    });

    it('matches a state board learner by a license of its state, and refuses one without', async () => {
      const request = submission({ board: 'CA-MBC' });
      const { learnerBoardId: _omitted, ...withoutBoardId } = request.learner;

      const accepted = await submit({ ...request, learner: withoutBoardId });
      const refused = await submit({
        ...request,
        submissionId: 'another-submission',
        learner: { ...withoutBoardId, licenses: [{ state: 'OR', licenseNumber: 'X1' }] },
      });

      expect(accepted.status).toBe(201);
      expect(refused.status).toBe(422);
      expect(refused.body['reason']).toContain(
        'a California medical license number (2 to 20 letters, digits or hyphens) or an NPI',
      );
    });

    it('refuses credit from before the date a board takes it from (ABPMR: 2025)', async () => {
      const answer = await submit(
        submission({ board: 'ABPMR', completedAt: '2024-12-31T23:00:00.000Z' }),
      );

      expect(answer.status).toBe(422);
      expect(answer.body['reason']).toBe(
        'ABPMR takes credit only for activities completed from 2025-01-01',
      );
    });

    it('answers 404 for a board that takes no direct reporting', async () => {
      const answer = await submit(submission({ board: 'ABXYZ' }));

      expect(answer.status).toBe(404);
      expect(answer.body['reason']).toBe('ABXYZ does not take direct credit reporting');
    });

    it('answers 400 naming each malformed field', async () => {
      const answer = await call('POST', '/boards/ABIM/submissions', {
        ...submission(),
        twelfths: 18,
        completedAt: 'yesterday',
      });

      expect(answer.status).toBe(400);
      expect(answer.body['reason']).toBe(
        'invalid submission: twelfths must be a positive whole number of twelfths, as a string; ' +
          'completedAt must be an ISO 8601 instant',
      );
    });

    it('answers 400 when the Idempotency-Key is not the submission id', async () => {
      const answer = await call('POST', '/boards/ABIM/submissions', submission(), {
        'Idempotency-Key': 'something-else',
      });

      expect(answer.status).toBe(400);
      expect(await records()).toEqual([]);
    });
  });

  describe('confirmation (R9)', () => {
    it('shows an accepted record as confirmed once the confirmation delay has passed', async () => {
      const request = submission();
      const path = `/boards/ABIM/submissions/${request.submissionId}`;
      expect((await call('GET', path)).body).toEqual({ found: false, confirmed: false });

      await submit(request);
      expect((await call('GET', path)).body).toEqual({ found: true, confirmed: false });

      const confirmed = await eventually(
        async () => {
          const status = await call('GET', path);
          expect(status.body['confirmed']).toBe(true);
          return status.body;
        },
        { timeoutMs: 5000 },
      );
      const [record] = await records();
      expect(record?.confirmedAt).toBe(confirmed['confirmedAt']);
      expect(
        Date.parse(String(confirmed['confirmedAt'])) - Date.parse(record?.acceptedAt ?? ''),
      ).toBe(CONFIRM_AFTER_MS);
    });
  });

  describe('faults', () => {
    it('answers 503 during an outage without recording anything, and accepts after it', async () => {
      await setFaults({ outage: true });
      const during = await submit(submission());
      await setFaults({ outage: false });
      const after = await submit(submission());

      expect(during.status).toBe(503);
      expect(during.body['reason']).toContain('outage');
      expect(after.status).toBe(201);
      expect((await records())[0]?.receivedCount).toBe(1);
    });

    it('answers 500 for the configured share of requests', async () => {
      await setFaults({ errorRate: 1 });
      expect((await submit(submission())).status).toBe(500);
      await setFaults({ errorRate: 0 });
      expect((await submit(submission())).status).toBe(201);
    });

    it('delays every board answer by the configured latency', async () => {
      await setFaults({ latencyMs: 300 });
      const started = performance.now();
      const answer = await call('GET', '/boards/ABIM/submissions/none');
      const tookMs = performance.now() - started;

      expect(answer.status).toBe(200);
      expect(tookMs).toBeGreaterThanOrEqual(290);
    });

    it('refuses invalid faults with 400 and keeps the current ones', async () => {
      await setFaults({ latencyMs: 5 });
      const answer = await setFaults({ errorRate: 2, outage: 'yes' });

      expect(answer.status).toBe(400);
      expect(answer.body['reason']).toBe(
        'outage must be true or false; errorRate must be a number from 0 to 1',
      );
      expect((await call('GET', '/admin/faults')).body).toEqual({
        outage: false,
        latencyMs: 5,
        errorRate: 0,
      });
    });

    it('clears faults and records on reset', async () => {
      await submit(submission());
      await setFaults({ outage: true });

      expect((await call('POST', '/admin/reset')).status).toBe(204);
      expect(await records()).toEqual([]);
      expect((await submit(submission())).body['boardRecordId']).toBe('ABIM-000001');
    });
  });

  describe('with the HTTP board gateway', () => {
    const gateway = (timeoutMs = 1000) =>
      new HttpBoardGateway({
        baseUrl: simulator.url,
        timeoutMs,
        maxAttempts: 2,
        baseDelayMs: 10,
        maxDelayMs: 20,
      });

    it('is accepted, rejected or unavailable as the board answers', async () => {
      const request = submission();
      await expect(gateway().submit(request)).resolves.toEqual({
        outcome: 'accepted',
        boardRecordId: 'ABIM-000001',
      });
      await expect(
        gateway().submit({
          ...request,
          submissionId: 'unknown-learner',
          learner: { ...request.learner, learnerBoardId: '000001' },
        }),
      ).resolves.toMatchObject({
        outcome: 'rejected',
        reason: expect.stringContaining('could not match'),
      });
      await setFaults({ outage: true });
      await expect(gateway().submit(request)).resolves.toMatchObject({ outcome: 'unavailable' });
    });

    it('records a submission once when a slow answer times out and the gateway retries', async () => {
      await setFaults({ latencyMs: 150 });

      const result = await gateway(50).submit(submission());
      await setFaults({ latencyMs: 0 });
      const retried = await gateway().submit(submission());

      expect(result.outcome).toBe('unavailable');
      expect(retried).toEqual({ outcome: 'accepted', boardRecordId: 'ABIM-000001' });
      await eventually(async () => {
        const listed = await records();
        expect(listed).toHaveLength(1);
        // Both timed-out requests reached the board and the first recorded the submission.
        expect(listed[0]?.receivedCount).toBe(3);
      });
    });
  });
});
