import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { consentGrantedBody, profileFields } from '@ledger/domain/testing';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../pars-simulator/src/pars-simulator';
import { eventually } from '../../../test/support/eventually';
import { bearer, startLoggedTestApp, type LoggedTestApp } from '../../../test/support/test-app';

/** Each learner its own ABIM id: PARS refuses a second record of the same completion. */
let boardIds = 710000;
const nextBoardId = (): string => String((boardIds += 1));

const PROFILE = (learnerBoardId: string, lastName = 'Quinn') =>
  profileFields({ lastName, boards: [{ boardId: 'ABIM', learnerBoardId }], npi: undefined });

interface BoardIdentity {
  status: 'verified' | 'mismatch' | 'not-checked';
  reason?: string;
  checkedAt?: string;
}

interface ProfileView {
  profileVersion: number;
  boards: { boardId: string; identity: BoardIdentity }[];
  consent: { status: string; at?: string; bySelection?: boolean };
}

interface ClaimView {
  claimId: string;
  tag: string;
  submissions: { submissionId: string; status: string; reason: string | null }[];
}

/**
 * The learner match (R16) and consent (R7) through the PARS simulator over HTTP: the API runs
 * the learner match process and the board submission process (as `npm start` does), PARS
 * answers `LearnerMatchRequest` and takes the completions.
 */
describe('learner match and consent through the PARS simulator over HTTP (R7, R8, R16)', () => {
  let sim: RunningParsSimulator;
  let t: LoggedTestApp;
  const http = () => request(t.app.getHttpServer());

  beforeAll(async () => {
    sim = await startParsSimulator({ port: 0, decideAfterMs: 1500 });
    t = await startLoggedTestApp(
      'learner_match',
      { boardGatewayUrl: sim.serviceUrl, boardSweepIntervalMs: 200, boardGatewayMaxAttempts: 2 },
      'info',
    );
  });
  afterAll(async () => {
    await t.close();
    await sim.close();
  });
  afterEach(() => faults({ outage: false, latencyMs: 0, errorRate: 0 }));

  const faults = (body: Record<string, unknown>) =>
    fetch(`${sim.url}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** a learner the board knows, who must match by names and birth month and day. */
  const knownToAbim = (id: string, lastName = 'Quinn') =>
    fetch(`${sim.url}/admin/learners`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        boardId: 'ABIM',
        id,
        firstName: 'Ada',
        lastName,
        birthMonth: 3,
        birthDay: 14,
      }),
    });

  const putProfile = (learnerId: string, profile: Record<string, unknown>) =>
    http()
      .put(`/v1/learners/${learnerId}/profile`)
      .set(bearer('service'))
      .send(profile)
      .expect(200);

  const profileOf = async (learnerId: string): Promise<ProfileView> =>
    (await http().get(`/v1/learners/${learnerId}/profile`).set(bearer('service')).expect(200))
      .body as ProfileView;

  /** The ABIM check once it is no longer "not checked" for the given profile version. */
  const abimChecked = (learnerId: string, profileVersion = 1, timeoutMs = 15000) =>
    eventually(
      async () => {
        const view = await profileOf(learnerId);
        const abim = view.boards.find((b) => b.boardId === 'ABIM')!.identity;
        if (view.profileVersion !== profileVersion || abim.status === 'not-checked')
          throw new Error(`ABIM: ${abim.status} for version ${view.profileVersion}`);
        return abim;
      },
      { timeoutMs },
    );

  const learner = () => `m-${randomUUID().slice(0, 8)}`;

  describe('learner match before the claim (R16)', () => {
    it("R16: a learner the board knows by this identity shows verified on the profile, recorded in the learner's history", async () => {
      const learnerId = learner();
      const id = nextBoardId();
      await knownToAbim(id);
      await putProfile(learnerId, PROFILE(id));
      const abim = await abimChecked(learnerId);
      expect(abim).toEqual({ status: 'verified', checkedAt: expect.any(String) });
      const history = await http()
        .get(`/v1/audit/streams/learner-${learnerId}`)
        .set(bearer('auditor'))
        .expect(200);
      const checks = (
        history.body.events as { type: string; data: Record<string, unknown> }[]
      ).filter((e) => e.type === 'LearnerBoardIdentityChecked');
      expect(checks).toEqual([
        expect.objectContaining({
          data: expect.objectContaining({ board: 'ABIM', outcome: 'matched', profileVersion: 1 }),
        }),
      ]);
    });

    it("R16: a mismatch shows with the board's reason; the corrected profile is checked again and verified", async () => {
      const learnerId = learner();
      const id = nextBoardId();
      await knownToAbim(id, 'Quinn');
      await putProfile(learnerId, PROFILE(id, 'Hart'));
      const mismatch = await abimChecked(learnerId, 1);
      expect(mismatch).toEqual({
        status: 'mismatch',
        reason: expect.stringMatching(/^ABIM: .*last name/),
        checkedAt: expect.any(String),
      });
      await putProfile(learnerId, PROFILE(id, 'Quinn'));
      expect(await abimChecked(learnerId, 2)).toEqual(
        expect.objectContaining({ status: 'verified' }),
      );
    });

    it('R16: an id the board does not know is a mismatch that says which id to check', async () => {
      const learnerId = learner();
      await putProfile(learnerId, PROFILE('000321'));
      expect(await abimChecked(learnerId)).toEqual(
        expect.objectContaining({
          status: 'mismatch',
          reason: expect.stringMatching(/ABIM has no learner with that ABIM ID/),
        }),
      );
    });

    it('R16: while PARS is out of reach the board stays "not checked" (never a mismatch); once PARS is back, it is verified', async () => {
      await faults({ outage: true });
      const learnerId = learner();
      const id = nextBoardId();
      await knownToAbim(id);
      await putProfile(learnerId, PROFILE(id));
      // The process asked PARS for this learner and found it out of reach.
      await eventually(async () => {
        const asked = t.logs
          .lines()
          .some(
            (line) =>
              line.includes('board answered the learner match') &&
              line.includes(learnerId) &&
              line.includes('"outcome":"unavailable"'),
          );
        if (!asked) throw new Error('the learner match has not met the outage yet');
      });
      const during = await profileOf(learnerId);
      expect(during.boards).toEqual([
        {
          boardId: 'ABIM',
          identity: { status: 'not-checked', reason: expect.stringMatching(/has not answered/) },
        },
      ]);
      await faults({ outage: false });
      expect(await abimChecked(learnerId, 1, 30000)).toEqual(
        expect.objectContaining({ status: 'verified' }),
      );
    });

    it('R16: a board whose fields the profile lacks is not asked, and the profile says what is missing', async () => {
      const learnerId = learner();
      await putProfile(learnerId, { ...PROFILE(nextBoardId()), boards: [{ boardId: 'ABIM' }] });
      const view = await profileOf(learnerId);
      expect(view.boards).toEqual([
        {
          boardId: 'ABIM',
          identity: {
            status: 'not-checked',
            reason: expect.stringMatching(/ABIM needs your ABIM ID/),
          },
        },
      ]);
    });

    it('a learner without a profile has none to show: 404', async () => {
      await http().get(`/v1/learners/${learner()}/profile`).set(bearer('service')).expect(404);
    });
  });

  describe('consent to share completion data with the boards (R7, R8)', () => {
    async function claim(learnerId: string): Promise<string> {
      await http()
        .post(`/v1/learners/${learnerId}/questions-researched`)
        .set(bearer('service'))
        .send({ researchId: `r-${randomUUID()}`, occurredAt: '2026-11-01T10:00:00Z' })
        .expect(201);
      const res = await http()
        .post(`/v1/learners/${learnerId}/claims`)
        .set(bearer('service'))
        .send({ activity: 'ipoc', occurredAt: '2026-11-02T10:00:00Z' })
        .expect(201);
      return res.body.claim.claimId as string;
    }

    const tagBecomes = (learnerId: string, claimId: string, tag: string) =>
      eventually(
        async () => {
          const res = await http()
            .get(`/v1/learners/${learnerId}/claims`)
            .set(bearer('service'))
            .expect(200);
          const found = (res.body.claims as ClaimView[]).find((c) => c.claimId === claimId);
          if (found?.tag !== tag) throw new Error(`tag is ${found?.tag}, waiting for ${tag}`);
          return found;
        },
        { timeoutMs: 15000 },
      );

    const receivedByPars = async (submissionId: string): Promise<number> => {
      const res = await fetch(`${sim.url}/admin/records`);
      const { records } = (await res.json()) as { records: { submissionId: string }[] };
      return records.filter((r) => r.submissionId === submissionId).length;
    };

    const consent = (learnerId: string, body: Record<string, unknown>) =>
      http().put(`/v1/learners/${learnerId}/consent`).set(bearer('service')).send(body);

    it('R7/R8: without consent, the claim is "Awaiting consent" and PARS receives nothing; once consent is given, it is Submitted', async () => {
      const learnerId = learner();
      await putProfile(learnerId, PROFILE(nextBoardId()));
      const claimId = await claim(learnerId);
      const waiting = await tagBecomes(learnerId, claimId, 'Awaiting consent');
      const submission = waiting.submissions[0]!;
      expect(submission).toEqual(
        expect.objectContaining({
          status: 'awaiting-consent',
          reason: expect.stringMatching(/consent to share completion data/),
        }),
      );
      expect(await receivedByPars(submission.submissionId)).toBe(0);
      expect((await profileOf(learnerId)).consent).toEqual({ status: 'not-given' });

      const given = await consent(learnerId, consentGrantedBody()).expect(200);
      expect(given.body.recorded).toEqual(['DataSharingConsentGranted']);
      await tagBecomes(learnerId, claimId, 'Submitted');
      expect(await receivedByPars(submission.submissionId)).toBe(1);
    });

    it("R7: consent is timestamped in the profile's answer and history; withdrawn, the next claim waits again", async () => {
      const learnerId = learner();
      await putProfile(learnerId, PROFILE(nextBoardId()));
      await consent(learnerId, { consent: 'granted', occurredAt: '2026-11-01T09:00:00Z' }).expect(
        200,
      );
      expect((await profileOf(learnerId)).consent).toEqual({
        status: 'granted',
        at: '2026-11-01T09:00:00.000Z',
      });
      // The same decision again records nothing.
      expect((await consent(learnerId, consentGrantedBody()).expect(200)).body.recorded).toEqual(
        [],
      );
      await consent(learnerId, { consent: 'withdrawn', occurredAt: '2026-11-01T09:30:00Z' }).expect(
        200,
      );
      expect((await profileOf(learnerId)).consent).toEqual({
        status: 'withdrawn',
        at: '2026-11-01T09:30:00.000Z',
      });
      const history = await http()
        .get(`/v1/audit/streams/learner-${learnerId}`)
        .set(bearer('auditor'))
        .expect(200);
      expect(
        (history.body.events as { type: string }[])
          .map((e) => e.type)
          .filter((type) => type.startsWith('DataSharingConsent')),
      ).toEqual(['DataSharingConsentGranted', 'DataSharingConsentWithdrawn']);
      const claimId = await claim(learnerId);
      await tagBecomes(learnerId, claimId, 'Awaiting consent');
    });

    it('R7: consent with no board selected is refused with the rule; a bad decision is refused naming the field, and nothing is recorded', async () => {
      const learnerId = learner();
      await putProfile(learnerId, { ...PROFILE(nextBoardId()), boards: [] });
      const refused = await consent(learnerId, consentGrantedBody()).expect(422);
      expect(refused.body).toEqual(
        expect.objectContaining({ rule: 'R7', code: 'no-board-selected' }),
      );
      const bad = await consent(learnerId, { consent: 'maybe' }).expect(400);
      expect((bad.body.errors as { field: string }[]).map((e) => e.field)).toEqual(['consent']);
      expect((await profileOf(learnerId)).consent).toEqual({ status: 'not-given' });
    });
  });
});
