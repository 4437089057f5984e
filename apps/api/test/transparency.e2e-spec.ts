import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import {
  checkConsistencyProof,
  checkInclusionProof,
  type ConsistencyProof,
  type InclusionProof,
} from '@ledger/audit';
import {
  chainLink,
  contentDigest,
  EVENT_STORE,
  genesisHash,
  type EventStore,
} from '@ledger/event-store';
import { Client } from 'pg';
import request from 'supertest';
import { createApp } from '../src/bootstrap';
import { CheckpointHost } from '../src/audit/transparency/checkpoint-host';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi, PROFILE } from './audit.fixtures';

const newLearner = (): string => `learner-${randomUUID().slice(0, 8)}`;

describe('signed checkpoints, proofs and verification on load (HTTP)', () => {
  let t: TestApp;
  let api: ReturnType<typeof learnerApi>;
  const auditor = (path: string) => api.http().get(path).set(bearer('auditor'));
  const checkpointNow = () => t.app.get(CheckpointHost).checkpointer.checkpointNow();

  beforeAll(async () => {
    // The checkpoints here are the ones the tests sign: the schedule signs the first event of
    // an empty tree at once, which would land among them (tested in the checkpointer's specs).
    t = await startTestApp('transparency', { runBoardProcess: false, runCheckpoints: false });
    api = learnerApi(t.app);
  });
  afterAll(() => t.close());

  it('an auditor fetches the public key and the latest checkpoint, and checks a proof and a consistency offline', async () => {
    const learner = newLearner();
    await api.profile(learner).expect(200);
    await api.research(learner, 'r1').expect(201);
    const first = await checkpointNow();
    await api.research(learner, 'r2').expect(201);
    await api.answer(learner, 'q1').expect(201);
    const second = await checkpointNow();
    expect(second.treeSize).toBe(first.treeSize + 2);

    const publicKey = (await auditor('/v1/audit/checkpoint-key').expect(200)).text;
    expect(publicKey).toContain('BEGIN PUBLIC KEY');
    const latest = (await auditor('/v1/audit/checkpoints/latest').expect(200)).body;
    expect(latest).toEqual(second);
    // The witness folder kept both, outside the database.
    const witnessed = readFileSync(join(t.config.witnessDir, 'checkpoints.ndjson'), 'utf8');
    expect(
      witnessed
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([first, second]);

    const history = await auditor(`/v1/audit/streams/learner-${learner}`).expect(200);
    const research = history.body.events.find(
      (e: { type: string }) => e.type === 'QuestionResearched',
    );
    const proof = (await auditor(`/v1/audit/events/${research.id}/proof`).expect(200))
      .body as InclusionProof;
    expect(proof.checkpoint).toEqual(second);
    expect(checkInclusionProof(proof, publicKey)).toEqual(expect.objectContaining({ ok: true }));
    const older = (
      await auditor(`/v1/audit/events/${research.id}/proof?treeSize=${first.treeSize}`).expect(200)
    ).body as InclusionProof;
    expect(checkInclusionProof(older, publicKey).ok).toBe(true);

    const consistency = (
      await auditor(`/v1/audit/checkpoints/consistency?from=${first.treeSize}`).expect(200)
    ).body as ConsistencyProof;
    expect(checkConsistencyProof(consistency, publicKey)).toEqual(
      expect.objectContaining({ ok: true }),
    );
  });

  it('answers 404 for an event without a leaf or a checkpoint never signed, 400 naming a bad field, 403 for a learner key', async () => {
    const missing = await auditor(`/v1/audit/events/${randomUUID()}/proof`).expect(404);
    expect(missing.body.code).toBe('proof-unavailable');
    await auditor('/v1/audit/checkpoints/consistency?from=1&to=999999').expect(404);
    const bad = await auditor('/v1/audit/events/not-a-uuid/proof').expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'eventId' })]);
    const badSize = await auditor('/v1/audit/checkpoints/consistency?from=-1').expect(400);
    expect(JSON.stringify(badSize.body.errors)).toContain('from');
    await api.http().get('/v1/audit/checkpoints/latest').set(bearer('service')).expect(403);
  });

  it('a stream rewritten by a superuser with its links recomputed: a new process refuses its commands, flags its balances, and reports it in /health and /metrics', async () => {
    const learner = newLearner();
    const intact = newLearner();
    await api.profile(learner).expect(200);
    await api.research(learner, 'r1').expect(201);
    await api.research(learner, 'r2').expect(201);
    await api.research(intact, 'r1').expect(201);
    await checkpointNow();

    const store = t.app.get<EventStore>(EVENT_STORE);
    const stream = `learner-${learner}`;
    const events = (await store.readStream(stream)).map((e) =>
      e.revision === 1n ? { ...e, data: { ...e.data, researchId: 'forged' } } : e,
    );
    const superuser = new Client({ connectionString: t.databaseUrl });
    await superuser.connect();
    try {
      await superuser.query('BEGIN');
      await superuser.query('ALTER TABLE events DISABLE TRIGGER USER');
      let link = genesisHash(stream);
      for (const e of events) {
        link = chainLink(link, e.revision, contentDigest(e));
        await superuser.query('UPDATE events SET data = $2, hash = $3 WHERE event_id = $1', [
          e.id,
          e.data,
          link,
        ]);
      }
      await superuser.query('UPDATE streams SET last_hash = $2 WHERE stream_name = $1', [
        stream,
        link,
      ]);
      await superuser.query('ALTER TABLE events ENABLE TRIGGER USER');
      await superuser.query('COMMIT');
    } finally {
      await superuser.end();
    }
    expect((await store.verifyStream(stream)).ok).toBe(true);

    // A second process of the same ledger loads the stream for the first time.
    const other: INestApplication = await createApp({
      config: { ...t.config, runProjections: false, runCheckpoints: false },
      databaseUrl: t.serviceUrl,
      databaseKind: 'external',
    });
    await other.init();
    try {
      const http = () => request(other.getHttpServer());
      const refused = await http()
        .post(`/v1/learners/${learner}/questions-researched`)
        .set(bearer('service'))
        .send({ researchId: 'r3', occurredAt: '2026-11-01T10:00:00Z' })
        .expect(503);
      expect(refused.body).toEqual(expect.objectContaining({ code: 'stream-integrity-failed' }));
      expect(refused.body.message).toContain(`stream ${stream} failed verification`);
      expect((await store.readStream(stream)).length).toBe(3);
      // Another learner's commands go on.
      await http()
        .post(`/v1/learners/${intact}/questions-researched`)
        .set(bearer('service'))
        .send({ researchId: 'r2', occurredAt: '2026-11-01T10:00:00Z' })
        .expect(201);

      const credits = await http().get(`/v1/learners/${learner}/credits`).set(bearer('service'));
      expect(credits.body.verification).toEqual(
        expect.objectContaining({
          ok: false,
          streamName: stream,
          kind: 'rewritten',
          revision: '1',
        }),
      );
      const fine = await http().get(`/v1/learners/${intact}/credits`).set(bearer('service'));
      expect(fine.body.verification).toEqual({ ok: true, streamName: `learner-${intact}` });
      const asOf = await http()
        .get(`/v1/audit/learners/${learner}/credits`)
        .set(bearer('auditor'))
        .expect(200);
      expect(asOf.body.verification).toEqual(expect.objectContaining({ ok: false }));

      const health = await http().get('/health').set(bearer('admin')).expect(200);
      expect(health.body.status).toBe('degraded');
      expect(health.body.integrity.failedStreams).toEqual([
        expect.objectContaining({ streamName: stream, kind: 'rewritten' }),
      ]);
      const metrics = await http().get('/metrics').set(bearer('admin')).expect(200);
      expect(metrics.text).toMatch(/^ledger_streams_failed_verification 1$/m);
    } finally {
      await other.close();
    }
    void PROFILE;
  });
});
