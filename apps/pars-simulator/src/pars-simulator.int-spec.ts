import {
  PARS_ACTIVITIES,
  ParsBoardGateway,
  type BoardSubmissionRequest,
  type ParsGatewayOptions,
} from '@ledger/boards';
import { eventually } from '../../../test/support/eventually';
import { startParsSimulator, type RunningParsSimulator } from './pars-simulator';

/**
 * The PARS web-service adapter against the PARS simulator, over real HTTP (R8, R9, R16): the
 * wire format, learner match, duplicates, reporting windows, deletes, delayed status and faults.
 */

const DAY = 86_400_000;
const request = (overrides: Partial<BoardSubmissionRequest> = {}): BoardSubmissionRequest => ({
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
    npi: '1234567893',
  },
  activity: 'ipoc',
  twelfths: '18',
  credits: '1.50',
  completedAt: '2026-03-02T10:00:00.000Z',
  ...overrides,
});

interface RecordView {
  board: string;
  submissionId: string;
  boardRecordId: string;
  credits: string;
  mocPoints: string | null;
  completionDate: string;
  status: string;
  receivedCount: number;
}

describe('PARS web services through the PARS simulator over HTTP (R8, R9)', () => {
  let sim: RunningParsSimulator;
  let clock: number;
  const gateway = (options: Partial<ParsGatewayOptions> = {}): ParsBoardGateway =>
    new ParsBoardGateway({
      baseUrl: sim.serviceUrl,
      providerId: 'P-0001',
      maxAttempts: 3,
      baseDelayMs: 1,
      timeoutMs: 1000,
      ...options,
    });
  const records = async (): Promise<RecordView[]> =>
    ((await (await fetch(`${sim.url}/admin/records`)).json()) as { records: RecordView[] }).records;
  const faults = (body: object): Promise<Response> =>
    fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });

  beforeEach(async () => {
    clock = Date.parse('2026-03-10T12:00:00.000Z');
    sim = await startParsSimulator({ port: 0, decideAfterMs: DAY, now: () => clock });
  });
  afterEach(() => sim.close());

  it('R8/R9: a completion is received at once, pending, then accepted about a day later; its status is polled', async () => {
    const pars = gateway();

    const result = await pars.submit(request());

    expect(result).toEqual({ outcome: 'accepted', boardRecordId: 'PARS-00000001' });
    await expect(pars.recordStatus('ABIM', request().submissionId)).resolves.toEqual({
      found: true,
      confirmed: false,
    });
    clock += DAY;
    await expect(pars.recordStatus('ABIM', request().submissionId)).resolves.toEqual({
      found: true,
      confirmed: true,
      confirmedAt: '2026-03-11T12:00:00.000Z',
    });
    expect(await records()).toEqual([
      expect.objectContaining({
        board: 'ABIM',
        credits: '1.50',
        mocPoints: '1.50',
        completionDate: '2026-03-02',
        status: 'Accepted',
      }),
    ]);
  });

  it('R8: the completion date is the calendar date in PARS time zone; ABP gets whole MOC points; a state board gets the license', async () => {
    const pars = gateway();
    await pars.submit(
      request({
        submissionId: 's-abp',
        board: 'ABP',
        twelfths: '22',
        credits: '1.75',
        completedAt: '2026-03-02T03:00:00.000Z',
      }),
    );
    await pars.submit(
      request({
        submissionId: 's-abp-small',
        board: 'ABP',
        twelfths: '9',
        credits: '0.75',
        completedAt: '2026-03-03T10:00:00.000Z',
      }),
    );
    await pars.submit(
      request({
        submissionId: 's-ca',
        board: 'CA-MBC',
        learner: { ...request().learner, learnerBoardId: undefined },
      }),
    );

    const byId = new Map((await records()).map((r) => [r.submissionId, r]));
    expect(byId.get('s-abp')).toMatchObject({
      completionDate: '2026-03-01',
      credits: '1.75',
      mocPoints: '1.00',
    });
    expect(byId.get('s-abp-small')).toMatchObject({ credits: '0.75', mocPoints: null });
    expect(byId.get('s-ca')).toMatchObject({ board: 'CA', mocPoints: null });
  });

  it('R16: a learner PARS cannot match is refused at once with a reason to act on, naming no personal data', async () => {
    const result = await gateway().submit(
      request({ learner: { ...request().learner, learnerBoardId: '000123' } }),
    );

    expect(result).toEqual({
      outcome: 'rejected',
      reason:
        'ABIM has no learner with that ABIM ID; check it in the CME profile (LEARNER_NOT_FOUND)',
    });
    expect(await records()).toEqual([]);
  });

  it('learner match: a learner the board knows matches; another birth date or name is a mismatch naming the field', async () => {
    await fetch(`${sim.url}/admin/learners`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        boardId: 'ABIM',
        id: '123456',
        firstName: 'Ada',
        lastName: 'Quinn',
        birthMonth: 3,
        birthDay: 14,
      }),
    });
    const pars = gateway();
    const identity = {
      boardId: 'ABIM',
      learnerBoardId: '123456',
      firstName: 'ada',
      lastName: 'QUINN',
      birthMonth: 3,
      birthDay: 14,
    };

    await expect(pars.matchLearner(identity)).resolves.toEqual({ outcome: 'matched' });
    await expect(pars.matchLearner({ ...identity, birthDay: 15 })).resolves.toEqual({
      outcome: 'mismatch',
      reason:
        'ABIM knows that ABIM ID with another month and day of birth; correct the CME profile (LEARNER_MISMATCH)',
    });
  });

  it("R16 (A-19): the port's learner match sends the identity each board matches by; a board PARS does not reach has no answer, an outage is unavailable", async () => {
    const pars = gateway();
    const learner = {
      learnerBoardId: '000123',
      firstName: 'Ada',
      lastName: 'Quinn',
      birthMonth: 3,
      birthDay: 14,
      licenses: [{ state: 'CA', licenseNumber: 'A12345' }],
    };
    await expect(pars.matchLearnerIdentity({ board: 'ABIM', learner })).resolves.toEqual({
      outcome: 'mismatched',
      reason:
        'ABIM: ABIM has no learner with that ABIM ID; check it in the CME profile (LEARNER_NOT_FOUND)',
    });
    // A state board matches by a license of its state (the board id 000… plays no part).
    await expect(pars.matchLearnerIdentity({ board: 'CA-MBC', learner })).resolves.toEqual({
      outcome: 'matched',
    });
    await expect(pars.matchLearnerIdentity({ board: 'ABPMR', learner })).resolves.toEqual({
      outcome: 'no-answer',
      reason: 'ABPMR is not reached through ACCME PARS; it has no learner match there',
    });
    await faults({ outage: true });
    await expect(
      pars.matchLearnerIdentity({
        board: 'ABIM',
        learner: { ...learner, learnerBoardId: '123456' },
      }),
    ).resolves.toEqual({ outcome: 'unavailable', reason: expect.stringMatching(/^PARS /) });
    await faults({ outage: false });
  });

  it('A-12: the same record id again is the same record; the same completion under another id is a duplicate', async () => {
    const pars = gateway();
    const first = await pars.submit(request());
    const again = await pars.submit(request());
    const other = await pars.submit(request({ submissionId: 'another-id' }));

    expect(again).toEqual(first);
    expect(other).toEqual({
      outcome: 'rejected',
      reason: 'this completion is already reported under another record id (DUPLICATE)',
    });
    expect((await records()).map((r) => r.receivedCount)).toEqual([2]);
  });

  it('A-16: a year is reportable until 31 March of the next year; after that PARS refuses with the date', async () => {
    clock = Date.parse('2026-04-01T12:00:00.000Z');

    const result = await gateway().submit(request({ completedAt: '2025-12-30T15:00:00.000Z' }));

    expect(result).toEqual({
      outcome: 'rejected',
      reason:
        'completions of 2025 were reportable until 2026-03-31; this credit can no longer be reported (REPORTING_WINDOW_CLOSED)',
    });
  });

  it('R9/R16: a record the board rejects when processing it reads as rejected with the reason', async () => {
    const pars = gateway();
    await pars.submit(request({ learner: { ...request().learner, learnerBoardId: '999001' } }));
    clock += DAY;

    await expect(pars.recordStatus('ABIM', request().submissionId)).resolves.toEqual({
      found: true,
      confirmed: false,
      rejected:
        'ABIM did not accept the record: the learner is not enrolled in its programme (BOARD_REJECTED)',
    });
  });

  it('R8: a correction deletes the record, then the resubmission under the same id is a new record', async () => {
    const pars = gateway();
    await pars.submit(request());
    await pars.deleteRecord('ABIM', request().submissionId);
    await expect(pars.recordStatus('ABIM', request().submissionId)).resolves.toEqual({
      found: false,
      confirmed: false,
    });

    const resubmitted = await pars.submit(request({ attempt: 2, credits: '1.00', twelfths: '12' }));

    expect(resubmitted).toEqual({ outcome: 'accepted', boardRecordId: 'PARS-00000002' });
    expect((await records()).map((r) => [r.boardRecordId, r.status, r.credits])).toEqual([
      ['PARS-00000001', 'Deleted', '1.50'],
      ['PARS-00000002', 'Pending', '1.00'],
    ]);
  });

  it('R8: a deleted record is gone: deleting it again is done, and another record of that completion is no duplicate', async () => {
    const pars = gateway();
    await pars.submit(request());
    await pars.deleteRecord('ABIM', request().submissionId);
    await expect(pars.deleteRecord('ABIM', request().submissionId)).resolves.toBeUndefined();
    await expect(pars.deleteRecord('ABIM', 'never-sent')).resolves.toBeUndefined();

    const other = await pars.submit(
      request({ submissionId: '3c1d8e5f-6a7b-5c2d-9e3f-4a5b6c7d8e9f' }),
    );

    expect(other).toEqual({ outcome: 'accepted', boardRecordId: 'PARS-00000002' });
  });

  it('R8: an outage of one operation (failOperations) refuses it with 503, the others working: a deletion passes, the resubmission is unavailable', async () => {
    const pars = gateway();
    await pars.submit(request());
    await faults({ failOperations: ['SaveLearnerActivity'] });

    await pars.deleteRecord('ABIM', request().submissionId);
    const resubmitted = await pars.submit(request({ attempt: 2 }));

    expect(resubmitted).toEqual({
      outcome: 'unavailable',
      reason: expect.stringMatching(/503/),
    });
    expect((await records()).map((r) => r.status)).toEqual(['Deleted']);
    await faults({ failOperations: [] });
    expect(await pars.submit(request({ attempt: 2 }))).toEqual({
      outcome: 'accepted',
      boardRecordId: 'PARS-00000002',
    });
  });

  it('refuses a fault naming an operation PARS does not have', async () => {
    const answer = await faults({ failOperations: ['SaveEverything'] });
    expect(answer.status).toBe(400);
    expect(((await answer.json()) as { reason: string }).reason).toMatch(/failOperations/);
  });

  it('registers the activities and verifies them field by field', async () => {
    await sim.close();
    sim = await startParsSimulator({ port: 0, registerActivities: false, now: () => clock });
    const pars = gateway();
    const ipoc = PARS_ACTIVITIES.ipoc;

    await expect(pars.verifyActivity(ipoc)).resolves.toEqual({
      status: 'missing',
      activityId: ipoc.parsActivityId,
    });
    expect(await pars.submit(request())).toEqual({
      outcome: 'rejected',
      reason: `activity ${ipoc.parsActivityId} is not registered in PARS (UNKNOWN_ACTIVITY)`,
    });
    await pars.registerActivity(ipoc);
    await expect(pars.verifyActivity(ipoc)).resolves.toEqual({
      status: 'registered',
      activityId: ipoc.parsActivityId,
    });
    await expect(pars.verifyActivity({ ...ipoc, endDate: '2028-12-31' })).resolves.toEqual({
      status: 'different',
      activityId: ipoc.parsActivityId,
      differences: ['endDate: PARS has "2027-12-31", configured "2028-12-31"'],
    });
  });

  it('R10: ABPMR is not reached through PARS: refused without a call', async () => {
    const result = await gateway().submit(request({ board: 'ABPMR' }));

    expect(result).toEqual({
      outcome: 'rejected',
      reason:
        'ABPMR is not reached through ACCME PARS; the learner reports with the PDF certificate',
    });
    expect(await records()).toEqual([]);
  });

  it('faults: an outage is unavailable after the retry budget; a slow answer lost to a timeout is not recorded twice on retry', async () => {
    await faults({ outage: true });
    const down = await gateway().submit(request());
    expect(down).toMatchObject({ outcome: 'unavailable' });
    expect(down.outcome === 'unavailable' && down.reason).toContain(
      'HTTP 503: PARS is down for maintenance (simulated outage) (HTTP_503)',
    );
    await expect(gateway().recordStatus('ABIM', 'x')).rejects.toMatchObject({
      name: 'BoardUnavailableError',
    });

    await faults({ outage: false, latencyMs: 300 });
    const slow = await gateway({ timeoutMs: 100, maxAttempts: 1 }).submit(request());
    expect(slow).toMatchObject({ outcome: 'unavailable' });
    await faults({ latencyMs: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await gateway().submit(request())).toEqual({
      outcome: 'accepted',
      boardRecordId: 'PARS-00000001',
    });
    expect((await records()).map((r) => r.receivedCount)).toEqual([2]);
  });

  it('hold: the board records a call and answers it only once the hold is lifted', async () => {
    expect(await (await faults({ hold: true })).json()).toEqual(
      expect.objectContaining({ hold: true }),
    );
    let answered = false;
    const submitted = gateway({ timeoutMs: 60_000 })
      .submit(request())
      .finally(() => (answered = true));
    await eventually(async () =>
      expect(await records()).toEqual([expect.objectContaining({ receivedCount: 1 })]),
    );
    expect(answered).toBe(false);
    await faults({ hold: false });
    expect(await submitted).toEqual({ outcome: 'accepted', boardRecordId: 'PARS-00000001' });
    expect((await records()).map((r) => r.receivedCount)).toEqual([1]);
    const refused = await faults({ hold: 'yes' });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ reason: 'hold must be true or false' });
  });

  it('errorRate: a share of calls fails with 500 and the retry gets through', async () => {
    let n = 0;
    await sim.close();
    sim = await startParsSimulator({
      port: 0,
      now: () => clock,
      random: () => (n++ % 2 === 0 ? 0 : 0.99),
    });
    await faults({ errorRate: 0.5 });

    expect(await gateway().submit(request())).toEqual({
      outcome: 'accepted',
      boardRecordId: 'PARS-00000001',
    });
  });

  it('answers a document it cannot read with 400 and the reason, in XML', async () => {
    const response = await fetch(`${sim.serviceUrl}/SaveLearnerActivity`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml' },
      body: '<SaveLearnerActivityRequest><ProviderId>P</ProviderId>',
    });

    expect(response.status).toBe(400);
    expect(await response.text()).toContain(
      '<Message>the body is not XML PARS reads: &lt;SaveLearnerActivityRequest&gt; is not closed</Message>',
    );
  });
});
