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
import { ACTIVITIES, boardSubmissionId } from '@ledger/domain';
import { consentGrantedBody } from '@ledger/domain/testing';
import { PostgresEventStore } from '@ledger/event-store';
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
import {
  creditDiscrepancies,
  learnerLogs,
  learnerProfile,
  logDiscrepancies,
  sendCommand,
  type SentCommand,
} from '../../bench/support/ledger-count';
import { eventually } from '../support/eventually';
import { startProcess, type RunningProcess } from '../support/processes';

const LOAD_MS = Number(process.env.FAULT_LOAD_MS ?? 24_000);
const SERVICES = 12;
const LEARNERS_PER_SERVICE = 3;
const SERVICE_KEY = 'fault-service-key-0001';
const ADMIN_KEY = 'fault-admin-key-00001';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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

    const sent: SentCommand[] = [];
    let retried = 0;
    const loadStarts = Date.now();
    let loadEnds = loadStarts + LOAD_MS;
    // ABIM takes physicians only (R10): one learner in four is a nurse practitioner.
    const profileOf = (n: number) => learnerProfile(n, n % 4 !== 0);

    /** Sends one command until it gets an answer that is not a fault (bounded by the run). */
    async function send(command: SentCommand): Promise<void> {
      sent.push(command);
      await sendCommand(apiUrl, SERVICE_KEY, command, Date.now() + LOAD_MS + 90_000, () => {
        retried += 1;
      });
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
      const learnerIds = [...new Set(sent.map((c) => c.learnerId))];
      const eventsOf = await learnerLogs(store, learnerIds);
      expect(logDiscrepancies(acknowledged, eventsOf)).toEqual([]);

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
        await eventually(
          async () => {
            expect(
              await creditDiscrepancies(
                apiUrl,
                SERVICE_KEY,
                learnerId,
                eventsOf.get(learnerId)!,
                now,
              ),
            ).toEqual([]);
          },
          { timeoutMs: 30_000, intervalMs: 250 },
        );
      }
    } finally {
      await store.close();
    }
  }
});
