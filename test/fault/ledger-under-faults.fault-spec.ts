/**
 * The real service under a bounded load of concurrent commands from simulated internal
 * services that retry with the same Idempotency-Key after errors and timeouts, while:
 * the API process is killed (SIGKILL) and restarted, PostgreSQL is stopped and started, the
 * worker is killed mid-batch and restarted, and the board simulator is down for a while.
 * Afterwards: every acknowledged command has its events exactly once, nothing is left partial,
 * the read models equal the fold of the log, every hash chain verifies, and each board holds
 * exactly one record per claim and board. Everything runs on 127.0.0.1 and stops by itself.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ACTIVITIES,
  amountView,
  boardSubmissionId,
  creditTotals,
  foldLearner,
  type LearnerEvent,
} from '@ledger/domain';
import { consentGrantedBody } from '@ledger/domain/testing';
import { PostgresEventStore } from '@ledger/event-store';
import { learnerEventCodec } from '@ledger/ledger';
import {
  createDatabase,
  freePort,
  startEmbeddedPostgres,
  type RunningPostgres,
} from '@ledger/database';
import {
  startParsSimulator,
  type RunningParsSimulator,
} from '../../apps/pars-simulator/src/pars-simulator';
import { eventually } from '../support/eventually';
import { startProcess, type RunningProcess } from '../support/processes';

const LOAD_MS = Number(process.env.FAULT_LOAD_MS ?? 24_000);
const SERVICES = 12;
const LEARNERS_PER_SERVICE = 3;
const SERVICE_KEY = 'fault-service-key-0001';
const ADMIN_KEY = 'fault-admin-key-00001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Sent {
  learnerId: string;
  kind: 'profile' | 'consent' | 'research' | 'answer' | 'claim';
  key: string;
  body: Record<string, unknown>;
  acknowledged?: { status: number; body: Record<string, unknown> };
  attempts: number;
}

describe('the ledger under load and faults', () => {
  let dataDir: string;
  let pg: RunningPostgres;
  let pgPort: number;
  let databaseUrl: string;
  let sim: RunningParsSimulator;
  let api: RunningProcess | undefined;
  let worker: RunningProcess | undefined;
  let apiUrl: string;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-fault-'));
    pgPort = await freePort();
    pg = await startEmbeddedPostgres({ dataDir, port: pgPort, persistent: true });
    databaseUrl = await createDatabase(pg.url, 'ledger');
    sim = await startParsSimulator({ port: 0, decideAfterMs: 2000 });
    const apiPort = await freePort();
    apiUrl = `http://127.0.0.1:${apiPort}`;
    env = {
      DATABASE_URL: databaseUrl,
      PORT: String(apiPort),
      BOARD_GATEWAY_URL: sim.serviceUrl,
      BOARD_SWEEP_INTERVAL_MS: '500',
      BOARD_GATEWAY_MAX_ATTEMPTS: '3',
      LEDGER_API_KEYS: `service:${SERVICE_KEY},admin:${ADMIN_KEY}`,
      LEDGER_RATE_LIMIT_PER_MINUTE: '10000000',
      LEDGER_PROJECTION_BATCH: '50',
    };
  }, 120_000);

  afterAll(async () => {
    await api?.kill('SIGKILL');
    await worker?.kill('SIGKILL');
    await sim?.close();
    await pg?.stop().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const startApi = () =>
    startProcess('api', {
      ...env,
      LEDGER_RUN_PROJECTIONS: 'false',
      LEDGER_RUN_BOARD_PROCESS: 'false',
    });
  const startWorker = () => startProcess('worker', env);
  const healthy = () =>
    eventually(
      async () => {
        const res = await fetch(`${apiUrl}/health`);
        if (!res.ok) throw new Error(`health ${res.status}`);
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

  it('loses no acknowledged command, records nothing twice, and ends consistent', async () => {
    try {
      await scenario();
    } catch (error) {
      process.stdout.write(
        `--- api output ---\n${api?.output().slice(-6000)}\n--- worker output ---\n${worker?.output().slice(-4000)}\n`,
      );
      throw error;
    }
  });

  async function scenario(): Promise<void> {
    api = startApi();
    worker = startWorker();
    await healthy();

    const sent: Sent[] = [];
    let retried = 0;
    const loadStarts = Date.now();
    let loadEnds = loadStarts + LOAD_MS;
    const nursePractitioner = (n: number) => n % 4 === 0;
    const profileOf = (n: number) => ({
      clinicalRole: nursePractitioner(n) ? 'nurse_practitioner' : 'physician',
      firstName: 'Ada',
      // A person's name has no digits (R7): one letter tells the learners apart.
      lastName: `Quinn-${String.fromCharCode(97 + (n % 26))}`,
      birthMonth: 3,
      birthDay: 14,
      country: 'US',
      // ABIM takes physicians only (R10).
      boards: nursePractitioner(n) ? [] : [{ boardId: 'ABIM', learnerBoardId: String(100000 + n) }],
      licenses: [{ state: 'CA', licenseNumber: `A${n}` }],
    });

    /** Sends one command until it gets an answer that is not a fault (bounded by the run). */
    async function send(command: Sent): Promise<void> {
      sent.push(command);
      const path =
        command.kind === 'profile' || command.kind === 'consent'
          ? `/v1/learners/${command.learnerId}/${command.kind}`
          : `/v1/learners/${command.learnerId}/${command.kind === 'research' ? 'questions-researched' : command.kind === 'answer' ? 'answers' : 'claims'}`;
      const deadline = Date.now() + LOAD_MS + 90_000;
      while (Date.now() < deadline) {
        command.attempts += 1;
        if (command.attempts > 1) retried += 1;
        try {
          const res = await fetch(`${apiUrl}${path}`, {
            method: command.kind === 'profile' || command.kind === 'consent' ? 'PUT' : 'POST',
            headers: {
              'content-type': 'application/json',
              authorization: `Bearer ${SERVICE_KEY}`,
              'idempotency-key': command.key,
            },
            body: JSON.stringify(command.body),
            signal: AbortSignal.timeout(3000),
          });
          const body = (await res.json()) as Record<string, unknown>;
          if (res.status < 500 && res.status !== 409 && res.status !== 429) {
            command.acknowledged = { status: res.status, body };
            return;
          }
        } catch {
          // connection refused, reset or timed out: the same request again, same key
        }
        await sleep(100 + Math.random() * 300);
      }
    }

    async function service(s: number): Promise<void> {
      const learners = Array.from(
        { length: LEARNERS_PER_SERVICE },
        (_, i) => `fault-${s}-${i}-${randomUUID().slice(0, 6)}`,
      );
      // A service sets its learners up side by side: the profile, then (R7) the consent to
      // share with the boards selected, so that claims reach them.
      await Promise.all(
        learners.map(async (learnerId, i) => {
          const profile = profileOf(s * 10 + i);
          await send({ learnerId, kind: 'profile', key: randomUUID(), body: profile, attempts: 0 });
          if (profile.boards.length > 0)
            await send({
              learnerId,
              kind: 'consent',
              key: randomUUID(),
              body: consentGrantedBody(),
              attempts: 0,
            });
        }),
      );
      // PARS refuses a second record of the same learner, activity, board and completion date
      // under another id as a duplicate, so each learner claims each activity once: the
      // claims are spread over the run, one in each phase of faults.
      const claims = learners.flatMap((learnerId) =>
        ACTIVITIES.map((activity) => ({ learnerId, activity })),
      );
      const claimDue = (k: number) => loadStarts + ((k + 0.5) * LOAD_MS) / claims.length;
      let claimed = 0;
      let n = 0;
      while (Date.now() < loadEnds) {
        const learnerId = learners[n % learners.length]!;
        const occurredAt = new Date(Date.now() - 60_000).toISOString();
        const claim = claims[claimed];
        if (claim && Date.now() >= claimDue(claimed)) {
          claimed += 1;
          // Something to claim first: on a slow machine a claim can fall due before its learner
          // earned anything in the loop below, and a refused claim tests no board submission.
          await send(
            claim.activity === 'ipoc'
              ? {
                  learnerId: claim.learnerId,
                  kind: 'research',
                  key: randomUUID(),
                  body: { researchId: `r-${s}-c${claimed}`, occurredAt },
                  attempts: 0,
                }
              : {
                  learnerId: claim.learnerId,
                  kind: 'answer',
                  key: randomUUID(),
                  body: { questionId: `q-${s}-c${claimed}`, correct: true, occurredAt },
                  attempts: 0,
                },
          );
          await send({
            learnerId: claim.learnerId,
            kind: 'claim',
            key: randomUUID(),
            body: { activity: claim.activity, occurredAt },
            attempts: 0,
          });
        } else if (n % 2 === 0) {
          await send({
            learnerId,
            kind: 'research',
            key: randomUUID(),
            body: { researchId: `r-${s}-${n}`, occurredAt },
            attempts: 0,
          });
        } else {
          await send({
            learnerId,
            kind: 'answer',
            key: randomUUID(),
            body: { questionId: `q-${s}-${n}`, correct: n % 5 !== 0, occurredAt },
            attempts: 0,
          });
        }
        n += 1;
      }
    }

    const faults = (async () => {
      const t0 = Date.now();
      const at = (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
      await at(LOAD_MS * 0.15);
      await api!.kill('SIGKILL');
      await sleep(500);
      api = startApi();
      // One fault at a time: an API still starting when PostgreSQL stops exits (as it should,
      // for a supervisor to restart it), and on a loaded machine starting takes seconds.
      await healthy();
      await at(LOAD_MS * 0.35);
      await pg.stop();
      await sleep(1500);
      pg = await startEmbeddedPostgres({ dataDir, port: pgPort, persistent: true });
      await at(LOAD_MS * 0.55);
      await worker!.kill('SIGKILL');
      await sleep(500);
      worker = startWorker();
      await at(LOAD_MS * 0.7);
      await fetch(`${sim.url}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outage: true }),
      });
      await sleep(3000);
      await fetch(`${sim.url}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ outage: false }),
      });
    })();

    await Promise.all([...Array.from({ length: SERVICES }, (_, s) => service(s)), faults]);
    loadEnds = 0;
    await healthy();

    const acknowledged = sent.filter((c) => c.acknowledged);
    const lost = sent.length - acknowledged.length;
    process.stdout.write(
      `fault test: ${sent.length} commands sent, ${acknowledged.length} acknowledged, ${retried} retries, ${lost} lost\n`,
    );
    expect(lost).toBe(0);
    const failedOutright = acknowledged.filter(
      (c) => c.acknowledged!.status >= 400 && c.kind !== 'claim',
    );
    expect(
      failedOutright.map((c) => [c.kind, c.acknowledged!.status, c.acknowledged!.body.code]),
    ).toEqual([]);

    // The log: every acknowledged command's events exactly once, nothing else.
    const store = await PostgresEventStore.create({ connectionString: databaseUrl });
    try {
      const codec = learnerEventCodec();
      const learnerIds = [...new Set(sent.map((c) => c.learnerId))];
      const eventsOf = new Map<string, LearnerEvent[]>();
      for (const learnerId of learnerIds) {
        const recorded = await store.readStream(`learner-${learnerId}`);
        const events: LearnerEvent[] = [];
        for (const r of recorded) {
          const e = await codec.decode(r);
          if (e) events.push(e);
        }
        eventsOf.set(learnerId, events);
      }
      for (const c of acknowledged) {
        const events = eventsOf.get(c.learnerId)!;
        if (c.kind === 'research') {
          expect(
            events.filter(
              (e) => e.type === 'QuestionResearched' && e.data.researchId === c.body.researchId,
            ),
          ).toHaveLength(1);
        } else if (c.kind === 'answer') {
          expect(
            events.filter((e) => 'questionId' in e.data && e.data.questionId === c.body.questionId),
          ).toHaveLength(1);
        } else if (c.kind === 'claim' && c.acknowledged!.body.claim) {
          const claimId = (c.acknowledged!.body.claim as { claimId: string }).claimId;
          expect(
            events.filter((e) => e.type === 'CreditClaimed' && e.data.claimId === claimId),
          ).toHaveLength(1);
        }
      }
      // Nothing recorded that no acknowledged command asked for.
      const asked = new Set(
        acknowledged.map(
          (c) => `${c.learnerId}/${String(c.body.researchId ?? c.body.questionId ?? '')}`,
        ),
      );
      for (const [learnerId, events] of eventsOf) {
        for (const e of events) {
          if (e.type === 'QuestionResearched')
            expect(asked.has(`${learnerId}/${e.data.researchId}`)).toBe(true);
          if (e.type === 'AnswerCorrect' || e.type === 'AnswerIncorrect')
            expect(asked.has(`${learnerId}/${e.data.questionId}`)).toBe(true);
        }
        // The claims recorded are exactly the claims acknowledged (a claim answers its claim).
        const recordedClaims = events.flatMap((e) =>
          e.type === 'CreditClaimed' ? [e.data.claimId] : [],
        );
        const acknowledgedClaims = acknowledged
          .filter(
            (c) => c.learnerId === learnerId && c.kind === 'claim' && c.acknowledged!.body.claim,
          )
          .map((c) => (c.acknowledged!.body.claim as { claimId: string }).claimId);
        expect([...recordedClaims].sort()).toEqual([...acknowledgedClaims].sort());
      }

      // Every hash chain verifies.
      const verification = await store.verifyAll();
      expect(verification.breaks).toEqual([]);

      // Submissions that failed while the board was down are retried, as an operator would.
      const claimIds = acknowledged
        .filter((c) => c.kind === 'claim' && c.acknowledged!.body.claim)
        .map((c) => c.acknowledged!.body.claim as { claimId: string; boards: string[] })
        .filter((claim) => claim.boards.includes('ABIM'))
        .map((claim) => claim.claimId);
      expect(claimIds.length).toBeGreaterThan(0);
      await eventually(
        async () => {
          let pending = 0;
          for (const claimId of claimIds) {
            const submissionId = boardSubmissionId(claimId, 'ABIM');
            const history = await store.readStream(`board-submission-${submissionId}`);
            const last = history[history.length - 1];
            if (!last) {
              pending += 1;
              continue;
            }
            if (last.type === 'BoardSubmissionFailed') {
              pending += 1;
              await fetch(`${apiUrl}/v1/board-submissions/${submissionId}/retry`, {
                method: 'POST',
                headers: {
                  authorization: `Bearer ${ADMIN_KEY}`,
                  'idempotency-key': `${submissionId}-${history.length}`,
                },
              });
            } else if (
              last.type !== 'BoardSubmissionSucceeded' &&
              last.type !== 'BoardRecordConfirmed'
            ) {
              pending += 1;
            }
          }
          if (pending > 0) throw new Error(`${pending} submissions not accepted yet`);
        },
        { timeoutMs: 90_000, intervalMs: 1000 },
      );

      // Each board holds exactly one record per claim and board.
      const { records } = (await (await fetch(`${sim.url}/admin/records`)).json()) as {
        records: { submissionId: string }[];
      };
      for (const claimId of claimIds) {
        expect(
          records.filter((r) => r.submissionId === boardSubmissionId(claimId, 'ABIM')),
        ).toHaveLength(1);
      }
      expect(records).toHaveLength(claimIds.length);

      // The read models equal the fold of the log.
      const head = (await store.readAll({ after: 0n, maxCount: 1 })).length;
      expect(head).toBe(1);
      const now = new Date();
      for (const learnerId of learnerIds) {
        const expected = creditTotals(foldLearner(eventsOf.get(learnerId)!), now, 'UTC');
        await eventually(
          async () => {
            const res = await fetch(`${apiUrl}/v1/learners/${learnerId}/credits`, {
              headers: { authorization: `Bearer ${SERVICE_KEY}` },
            });
            const body = (await res.json()) as { activities: Record<string, unknown> };
            for (const activity of ACTIVITIES) {
              const t = expected[activity];
              expect(body.activities[activity]).toEqual({
                earned: amountView(t.earned, activity),
                claimed: amountView(t.claimed, activity),
                unclaimed: amountView(t.unclaimed, activity),
                expired: amountView(t.expired, activity),
              });
            }
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        );
      }
    } finally {
      await store.close();
    }
  }
});
