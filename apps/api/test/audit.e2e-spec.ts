import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import { checkExport, importLog, postgresImportTarget } from '@ledger/audit';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import { Client } from 'pg';
import type { Response as HttpResponse } from 'supertest';
import { eventually } from '../../../test/support/eventually';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { balancesOf, learnerApi, linesOf, personalDataIn, submitToBoard } from './audit.fixtures';

type Role = Parameters<typeof bearer>[0];

/** A mutex per key: a learner's commands and the samples of its balances never overlap. */
class KeyedLocks {
  private readonly tails = new Map<string, Promise<void>>();
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(
      key,
      previous.then(() => mine),
    );
    await previous;
    try {
      return await work();
    } finally {
      release();
    }
  }
}

/** Deterministic pseudo-random numbers (a failing run can be replayed). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const newLearner = (): string => `learner-${randomUUID().slice(0, 8)}`;

describe('audit endpoints', () => {
  let t: TestApp;
  let api: ReturnType<typeof learnerApi>;
  let learnerId: string;
  const http = () => api.http();

  beforeAll(async () => {
    t = await startTestApp('audit', { runBoardProcess: false });
    api = learnerApi(t.app);
    learnerId = newLearner();
    await api.profile(learnerId).set('X-Correlation-Id', 'audit-trace-1').expect(200);
    await api.research(learnerId, 'r1').expect(201);
    await api.answer(learnerId, 'q1').expect(201);
    await api.answer(learnerId, 'q2', false).expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  describe('roles', () => {
    it.each([
      '/v1/audit/streams/learner-:learner',
      '/v1/audit/events?after=0&limit=5',
      '/v1/audit/learners/:learner/credits?asOf=2026-11-27T00:00:00Z',
      '/v1/audit/integrity',
      '/v1/audit/export',
    ])(
      'GET %s: 200 for auditor and admin, 403 for service and compliance, 401 without a known key',
      async (template) => {
        const path = template.replace(':learner', learnerId);
        for (const role of ['auditor', 'admin'] as Role[]) {
          expect((await http().get(path).set(bearer(role))).status).toBe(200);
        }
        for (const role of ['service', 'compliance'] as Role[]) {
          const res = await http().get(path).set(bearer(role));
          expect(res.status).toBe(403);
          expect(res.body).toEqual(expect.objectContaining({ statusCode: 403, code: 'forbidden' }));
        }
        expect((await http().get(path)).status).toBe(401);
        expect((await http().get(path).set('Authorization', 'Bearer not-a-known-key')).status).toBe(
          401,
        );
      },
    );
  });

  describe('raw history', () => {
    it("GET /v1/audit/streams/:streamName: the stream's events in order, with who, when, correlation, causation and hash", async () => {
      const res = await http()
        .get(`/v1/audit/streams/learner-${learnerId}`)
        .set(bearer('auditor'))
        .expect(200);
      expect(res.body).toEqual(
        expect.objectContaining({
          streamName: `learner-${learnerId}`,
          revision: '3',
          nextFromRevision: null,
        }),
      );
      expect(res.body.events.map((e: { type: string }) => e.type)).toEqual([
        'LearnerProfileUpdated',
        'QuestionResearched',
        'AnswerCorrect',
        'AnswerIncorrect',
      ]);
      const [profile] = res.body.events;
      expect(profile).toEqual({
        position: expect.stringMatching(/^\d+$/),
        streamName: `learner-${learnerId}`,
        revision: '0',
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        type: 'LearnerProfileUpdated',
        schemaVersion: 1,
        recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T.*Z$/),
        metadata: {
          actor: expect.stringMatching(/^service:[0-9a-f]{12}$/),
          correlationId: 'audit-trace-1',
          causationId: expect.any(String),
        },
        data: expect.objectContaining({ personalEncrypted: expect.stringMatching(/^pd1\./) }),
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(personalDataIn(JSON.stringify(res.body))).toEqual([]);
    });

    it('pages a stream by revision', async () => {
      const pages: string[] = [];
      let from: string | null = '0';
      while (from !== null) {
        const res: HttpResponse = await http()
          .get(`/v1/audit/streams/learner-${learnerId}?fromRevision=${from}&limit=3`)
          .set(bearer('auditor'))
          .expect(200);
        pages.push(...res.body.events.map((e: { revision: string }) => e.revision));
        from = res.body.nextFromRevision;
      }
      expect(pages).toEqual(['0', '1', '2', '3']);
    });

    it('GET /v1/audit/events pages the whole log by position, none skipped or repeated', async () => {
      const db = new Client({ connectionString: t.databaseUrl });
      await db.connect();
      const { rows } = await db.query<{ position: string }>(
        'SELECT position::text FROM events ORDER BY position',
      );
      await db.end();
      // An event becomes readable in the log once every older transaction on the server has
      // ended (that is what keeps readers from skipping): page again until the last one shows.
      await eventually(async () => {
        const seen: string[] = [];
        let after = '0';
        for (;;) {
          const res = await http()
            .get(`/v1/audit/events?after=${after}&limit=2`)
            .set(bearer('auditor'))
            .expect(200);
          expect(res.body.events.length).toBeLessThanOrEqual(2);
          if (res.body.events.length === 0) {
            expect(res.body.nextAfter).toBe(after);
            break;
          }
          seen.push(...res.body.events.map((e: { position: string }) => e.position));
          after = res.body.nextAfter;
        }
        expect(seen).toEqual(rows.map((r) => r.position));
      });
    });

    it.each([
      ['/v1/audit/events?limit=0', 'limit'],
      ['/v1/audit/events?limit=5000', 'limit'],
      ['/v1/audit/events?after=abc', 'after'],
      ['/v1/audit/events?after=99999999999999999999', 'after'],
      ['/v1/audit/streams/learner-x?fromRevision=-1', 'fromRevision'],
      ['/v1/audit/streams/..%2Fetc', 'streamName'],
      ['/v1/audit/learners/x/credits?asOf=yesterday', 'asOf'],
      ['/v1/audit/integrity?expectedDigest=abc', 'expectedDigest'],
      ['/v1/audit/export?upTo=x', 'upTo'],
    ])('400 naming the field: %s', async (path, field) => {
      const res = await http().get(path).set(bearer('auditor')).expect(400);
      expect(res.body.code).toBe('validation-failed');
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });

    it('404 for a stream that does not exist', async () => {
      const res = await http()
        .get('/v1/audit/streams/learner-nobody-here')
        .set(bearer('auditor'))
        .expect(404);
      expect(res.body.code).toBe('not-found');
    });
  });

  describe('as-of replay', () => {
    it('for any instant equals what the live query answered then, while commands ran concurrently', async () => {
      const learners = Array.from({ length: 6 }, newLearner);
      const locks = new KeyedLocks();
      const next = random(20261128);
      const lastPosition = new Map<string, bigint>();
      const unsubmitted = new Map<string, { claimId: string; body: ClaimBody; at: Date }[]>();
      const samples: { learnerId: string; at: string; live: object; othersInFlight: number }[] = [];
      let inFlight = 0;
      let commands = 0;
      let counter = 0;
      type ClaimBody = {
        claim: {
          claimId: string;
          activity: 'ipoc' | 'nejm-board-review';
          boards: string[];
          claimed: { twelfths: number };
        };
        position: string;
      };
      const note = (id: string, position: string | null | undefined | bigint): void => {
        if (position !== null && position !== undefined) lastPosition.set(id, BigInt(position));
      };

      const sample = async (id: string): Promise<void> => {
        const others = inFlight;
        const at = new Date();
        await eventually(() => {
          if (Date.now() <= at.getTime()) throw new Error('same millisecond');
        });
        const min = lastPosition.get(id);
        // The learner is locked: nothing of theirs changes while the read models catch up (a
        // 503 says they are not yet at minPosition; asking again answers for the same instant).
        const live = await eventually(
          () =>
            http()
              .get(`/v1/learners/${id}/credits${min === undefined ? '' : `?minPosition=${min}`}`)
              .set(bearer('service'))
              .expect(200),
          { timeoutMs: 30_000 },
        );
        samples.push({
          learnerId: id,
          at: at.toISOString(),
          live: balancesOf(live.body),
          othersInFlight: others,
        });
      };

      // Before anything is recorded for them.
      for (const id of learners) await sample(id);
      for (const id of learners) {
        note(id, (await api.profile(id).expect(200)).body.position);
        note(
          id,
          (await api.research(id, 'old-2023', '2023-05-15T10:00:00Z').expect(201)).body.position,
        );
      }

      const command = async (id: string): Promise<void> => {
        const roll = next();
        counter += 1;
        const n = counter;
        if (roll < 0.35) {
          note(id, (await api.research(id, `r-${n}`).expect(201)).body.position);
        } else if (roll < 0.6) {
          note(id, (await api.answer(id, `q-${n}`).expect(201)).body.position);
        } else if (roll < 0.7) {
          note(id, (await api.answer(id, `q-${n}`, false).expect(201)).body.position);
        } else if (roll < 0.9) {
          const activity = roll < 0.8 ? 'ipoc' : 'nejm-board-review';
          const res = await api.claim(id, activity, new Date(Date.now() - 3600_000).toISOString());
          expect([201, 422]).toContain(res.status);
          if (res.status === 201) {
            const body = res.body as ClaimBody;
            note(id, body.position);
            const list = unsubmitted.get(id) ?? [];
            list.push({ claimId: body.claim.claimId, body, at: new Date(Date.now() - 3600_000) });
            unsubmitted.set(id, list);
          }
        } else {
          const pending = unsubmitted.get(id)?.shift();
          if (!pending) return;
          for (const board of pending.body.claim.boards) {
            const outcomes = ['accepted', 'confirmed', 'failed'] as const;
            const position = await submitToBoard(
              t.app,
              {
                learnerId: id,
                claimId: pending.claimId,
                board,
                activity: pending.body.claim.activity,
                twelfths: BigInt(pending.body.claim.claimed.twelfths),
                claimedAt: pending.at,
              },
              outcomes[n % 3]!,
            );
            note(id, position);
          }
        }
        commands += 1;
      };

      const TOTAL = 240;
      const MIN_SAMPLES = 40;
      let running = true;
      const worker = async (): Promise<void> => {
        while (commands + inFlight < TOTAL || samples.length < MIN_SAMPLES) {
          const id = learners[Math.floor(next() * learners.length)]!;
          await locks.run(id, async () => {
            inFlight += 1;
            try {
              await command(id);
            } finally {
              inFlight -= 1;
            }
          });
        }
      };
      const sampler = async (): Promise<void> => {
        while (running) {
          const id = learners[Math.floor(next() * learners.length)]!;
          await locks.run(id, () => sample(id));
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      };
      const sampling = sampler();
      await Promise.all(Array.from({ length: 8 }, worker));
      running = false;
      await sampling;
      for (const id of learners) await locks.run(id, () => sample(id));

      // The test means something: many samples, taken while other commands were in flight,
      // showing balances that changed over time, with claims and MOC points among them.
      expect(samples.length).toBeGreaterThanOrEqual(MIN_SAMPLES);
      expect(samples.filter((s) => s.othersInFlight > 0).length).toBeGreaterThanOrEqual(10);
      expect(new Set(samples.map((s) => JSON.stringify(s.live))).size).toBeGreaterThan(10);
      expect(samples.some((s) => JSON.stringify(s.live).includes('"ABIM"'))).toBe(true);

      const mismatches: object[] = [];
      for (const s of samples) {
        const replay = await http()
          .get(`/v1/audit/learners/${s.learnerId}/credits?asOf=${encodeURIComponent(s.at)}`)
          .set(bearer('auditor'))
          .expect(200);
        expect(replay.body.replay.mode).toBe('instant');
        const replayed = balancesOf(replay.body);
        if (JSON.stringify(sortKeys(replayed)) !== JSON.stringify(sortKeys(s.live))) {
          mismatches.push({ sample: s, replayed });
        }
      }
      expect(mismatches).toEqual([]);
    }, 120_000);

    it('at a position: only the events at or below it count', async () => {
      const id = newLearner();
      await api.profile(id).expect(200);
      await api.research(id, 'r1').expect(201);
      const second = await api.research(id, 'r2').expect(201);
      await api.research(id, 'r3').expect(201);
      const replay = await http()
        .get(`/v1/audit/learners/${id}/credits?asOf=${second.body.position}`)
        .set(bearer('auditor'))
        .expect(200);
      expect(replay.body).toEqual(
        expect.objectContaining({ learnerId: id, position: second.body.position }),
      );
      expect(replay.body.replay).toEqual({ mode: 'position', events: 3, streams: 1 });
      expect(replay.body.activities.ipoc.earned).toEqual({ credits: '1.00', twelfths: 12 });
      const now = await http()
        .get(`/v1/audit/learners/${id}/credits`)
        .set(bearer('auditor'))
        .expect(200);
      expect(now.body.activities.ipoc.earned).toEqual({ credits: '1.50', twelfths: 18 });
    });
  });

  describe('export', () => {
    it('streams the log as NDJSON with hashes, whose digest is the integrity digest of the same range', async () => {
      const integrity = await http().get('/v1/audit/integrity').set(bearer('auditor')).expect(200);
      const { upToPosition, digest, events } = integrity.body.log;
      const res = await http()
        .get(`/v1/audit/export?upTo=${upToPosition}`)
        .set(bearer('auditor'))
        .buffer(true)
        .parse((parsed, done) => {
          // Under Node, superagent hands the parser the raw IncomingMessage, trailers included.
          const response = parsed as unknown as IncomingMessage;
          let text = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => (text += chunk));
          response.on('end', () => done(null, { text, trailers: response.trailers }));
        })
        .expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
      const { text, trailers } = res.body as { text: string; trailers: Record<string, string> };
      const lines = text.trim().split('\n');
      expect(lines).toHaveLength(events);
      expect(trailers).toEqual(
        expect.objectContaining({
          'x-ledger-digest': digest,
          'x-ledger-events': String(events),
          'x-ledger-up-to': upToPosition,
        }),
      );
      const first = JSON.parse(lines[0]!);
      expect(Object.keys(first).sort()).toEqual(
        [
          'data',
          'hash',
          'id',
          'metadata',
          'position',
          'recordedAt',
          'revision',
          'schemaVersion',
          'streamName',
          'type',
        ].sort(),
      );
      const check = await checkExport(linesOf(text), { expectedDigest: digest });
      expect(check).toEqual(expect.objectContaining({ ok: true, events, problems: [] }));
      expect(personalDataIn(text)).toEqual([]);

      const after = JSON.parse(lines[4]!).position as string;
      const tail = await http()
        .get(`/v1/audit/export?after=${after}`)
        .set(bearer('auditor'))
        .buffer(true);
      expect(tail.text.trim().split('\n')[0]).toBe(lines[5]);
    });

    it('replayed into an empty ledger, gives the same balances, digest and chains', async () => {
      const store = t.app.get<EventStore>(EVENT_STORE);
      const export1 = await http()
        .get('/v1/audit/export')
        .set(bearer('auditor'))
        .buffer(true)
        .expect(200);
      // The digest of exactly what was exported: a background process may append after it.
      const exportedLines = export1.text.trim().split('\n');
      const lastExported = (
        JSON.parse(exportedLines[exportedLines.length - 1]!) as { position: string }
      ).position;
      const integrity = await http()
        .get(`/v1/audit/integrity?upTo=${lastExported}`)
        .set(bearer('auditor'))
        .expect(200);
      expect(integrity.body.ok).toBe(true);
      expect(integrity.body.log.events).toBe(exportedLines.length);
      const learners = [
        ...new Set(
          export1.text
            .trim()
            .split('\n')
            .map((l) => (JSON.parse(l) as { streamName: string }).streamName)
            .filter((s) => s.startsWith('learner-'))
            .map((s) => s.slice('learner-'.length)),
        ),
      ];
      expect(learners.length).toBeGreaterThan(5);

      const copy = await startTestApp('audit_copy', { runBoardProcess: false });
      try {
        const target = await postgresImportTarget(copy.databaseUrl);
        let importedUpTo: string;
        try {
          const imported = await importLog(linesOf(export1.text), target);
          expect(imported.log.digest).toBe(integrity.body.log.digest);
          importedUpTo = imported.upToPosition;
        } finally {
          await target.close();
        }
        const copyHttp = learnerApi(copy.app).http;
        // Up to the import's last event, as an auditor asks (a new reader on a shared server
        // may not see the last commit for a moment; with upTo the read waits for it).
        const copied = await copyHttp()
          .get(`/v1/audit/integrity?upTo=${importedUpTo}`)
          .set(bearer('auditor'))
          .expect(200);
        expect(copied.body).toEqual(
          expect.objectContaining({
            ok: true,
            log: expect.objectContaining({
              digest: integrity.body.log.digest,
              events: integrity.body.log.events,
            }),
          }),
        );
        for (const id of learners) {
          const [original, replayed] = await Promise.all([
            http()
              .get(`/v1/learners/${id}/credits?minPosition=${integrity.body.log.upToPosition}`)
              .set(bearer('compliance'))
              .expect(200),
            copyHttp()
              .get(`/v1/learners/${id}/credits?minPosition=${copied.body.log.upToPosition}`)
              .set(bearer('compliance'))
              .expect(200),
          ]);
          expect(balancesOf(replayed.body)).toEqual(balancesOf(original.body));
          const asOfCopy = await copyHttp()
            .get(`/v1/audit/learners/${id}/credits`)
            .set(bearer('auditor'))
            .expect(200);
          expect(balancesOf(asOfCopy.body)).toEqual(balancesOf(original.body));
        }
        // The copy's log holds the same events, links and recorded-at as the original.
        const theirs = await copy.app.get<EventStore>(EVENT_STORE).readAll({ maxCount: 100 });
        const ours = await store.readAll({ maxCount: 100 });
        expect(theirs.map((e) => [e.id, e.hash, e.recordedAt.toISOString()])).toEqual(
          ours.map((e) => [e.id, e.hash, e.recordedAt.toISOString()]),
        );
      } finally {
        await copy.close();
      }
    }, 60_000);
  });

  describe('integrity', () => {
    it('verifies every chain and answers the same digest for the same history, even after the log grew', async () => {
      const first = await http().get('/v1/audit/integrity').set(bearer('auditor')).expect(200);
      expect(first.body).toEqual(
        expect.objectContaining({
          ok: true,
          verification: expect.objectContaining({ ok: true, breaks: [] }),
          log: expect.objectContaining({
            algorithm: 'cme-ledger/log-digest/v1',
            afterPosition: '0',
            digest: expect.stringMatching(/^[0-9a-f]{64}$/),
          }),
        }),
      );
      const { upToPosition, digest } = first.body.log;
      await api.research(learnerId, `later-${randomUUID()}`).expect(201);
      const again = await http()
        .get(`/v1/audit/integrity?upTo=${upToPosition}&expectedDigest=${digest}`)
        .set(bearer('admin'))
        .expect(200);
      expect(again.body.log).toEqual(first.body.log);
      expect(again.body.comparison).toEqual(expect.objectContaining({ matches: true }));
      const grown = await http().get('/v1/audit/integrity').set(bearer('auditor')).expect(200);
      expect(grown.body.log.digest).not.toBe(digest);
    });
  });

  describe('logging', () => {
    it("logs every audit and admin request with the caller's identity, refusals included, never the key", async () => {
      const log = jest.spyOn(Logger.prototype, 'log');
      const warn = jest.spyOn(Logger.prototype, 'warn');
      try {
        await http()
          .get('/v1/audit/events?limit=1')
          .set(bearer('auditor'))
          .set('X-Correlation-Id', 'who-asked-1')
          .expect(200);
        await http()
          .get('/v1/audit/integrity')
          .set(bearer('compliance'))
          .set('X-Correlation-Id', 'who-asked-2')
          .expect(403);
        await http()
          .get('/v1/admin/projections')
          .set(bearer('admin'))
          .set('X-Correlation-Id', 'who-asked-3')
          .expect(200);
        await eventually(() => {
          const entries = [...log.mock.calls, ...warn.mock.calls].map(
            (c) => c[0] as Record<string, unknown>,
          );
          expect(entries).toContainEqual(
            expect.objectContaining({
              msg: 'audit request',
              actor: expect.stringMatching(/^auditor:[0-9a-f]{12}$/),
              role: 'auditor',
              method: 'GET',
              path: '/v1/audit/events',
              correlationId: 'who-asked-1',
              status: 200,
            }),
          );
          expect(entries).toContainEqual(
            expect.objectContaining({
              msg: 'audit request',
              role: 'compliance',
              path: '/v1/audit/integrity',
              correlationId: 'who-asked-2',
              status: 403,
            }),
          );
          expect(entries).toContainEqual(
            expect.objectContaining({
              msg: 'audit request',
              role: 'admin',
              path: '/v1/admin/projections',
              correlationId: 'who-asked-3',
              status: 200,
            }),
          );
          expect(JSON.stringify(entries)).not.toMatch(/dev-(auditor|compliance|admin)-key/);
        });
      } finally {
        log.mockRestore();
        warn.mockRestore();
      }
    });
  });
});

describe('tamper detection (a superuser with the immutability trigger disabled)', () => {
  let t: TestApp;
  let api: ReturnType<typeof learnerApi>;
  let superuser: Client;
  beforeAll(async () => {
    t = await startTestApp('audit_tamper', { runBoardProcess: false });
    api = learnerApi(t.app);
    superuser = new Client({ connectionString: t.databaseUrl });
    await superuser.connect();
  });
  afterAll(async () => {
    await superuser.end();
    await t.close();
  });

  async function tamper(sql: string, params: unknown[]): Promise<void> {
    await superuser.query('BEGIN');
    try {
      await superuser.query('ALTER TABLE events DISABLE TRIGGER USER');
      await superuser.query(sql, params);
      await superuser.query('ALTER TABLE events ENABLE TRIGGER USER');
      await superuser.query('COMMIT');
    } catch (error) {
      await superuser.query('ROLLBACK');
      throw error;
    }
  }

  it('an altered and a removed event change the stored digest and are named', async () => {
    const a = newLearner();
    const b = newLearner();
    await api.profile(a).expect(200);
    const altered = await api.research(a, 'r1').expect(201);
    await api.research(a, 'r2').expect(201);
    await api.answer(b, 'q1').expect(201);
    const removed = await api.answer(b, 'q2').expect(201);
    await api.answer(b, 'q3').expect(201);
    const kept = await api.http().get('/v1/audit/integrity').set(bearer('auditor')).expect(200);
    expect(kept.body.ok).toBe(true);
    const { digest, upToPosition } = kept.body.log;
    // The export covers the range the digest was taken for: the learner-match process may append after it.
    const keptExport = await api
      .http()
      .get(`/v1/audit/export?upTo=${upToPosition}`)
      .set(bearer('auditor'))
      .buffer(true);

    const { rows } = await superuser.query<{ event_id: string; position: string }>(
      'SELECT event_id, position::text FROM events WHERE position = ANY($1::bigint[])',
      [[altered.body.position, removed.body.position]],
    );
    const idAt = (position: string) => rows.find((r) => r.position === position)!.event_id;
    await tamper(
      `UPDATE events SET data = jsonb_set(data, '{twelfths}', '"60"') WHERE event_id = $1`,
      [idAt(altered.body.position)],
    );
    await tamper('DELETE FROM events WHERE event_id = $1', [idAt(removed.body.position)]);

    const report = await api
      .http()
      .get(`/v1/audit/integrity?upTo=${upToPosition}&expectedDigest=${digest}`)
      .set(bearer('auditor'))
      .expect(200);
    expect(report.body.ok).toBe(false);
    expect(report.body.comparison).toEqual(expect.objectContaining({ matches: false }));
    expect(report.body.verification.breaks).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          streamName: `learner-${a}`,
          kind: 'altered',
          revision: '1',
          eventId: idAt(altered.body.position),
          position: altered.body.position,
        }),
        expect.objectContaining({ streamName: `learner-${b}`, kind: 'removed', revision: '1' }),
      ]),
    );
    expect(report.body.verification.breaks).toHaveLength(2);

    // The export kept before the tampering names the first event the ledger no longer holds as it was.
    const against = await checkExport(linesOf(keptExport.text), {
      expectedDigest: digest,
      ledger: t.app.get<EventStore>(EVENT_STORE),
    });
    expect(against.comparison?.matches).toBe(true);
    expect(against.problems).toEqual([
      expect.objectContaining({
        kind: 'differs-from-ledger',
        eventId: idAt(altered.body.position),
      }),
    ]);
  });
});

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}
