import { randomBytes } from 'node:crypto';
import type { LedgerCloudEvent } from '@ledger/feed';
import request from 'supertest';
import { WebhookReceiver } from '../../../libs/feed/src/testing/webhook-receiver';
import { standsIn } from '../../../libs/feed/src/testing/feed-fixture';
import { eventually } from '../../../test/support/eventually';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { loadConfig } from '@ledger/runtime';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;
const PROFILE = {
  clinicalRole: 'physician',
  firstName: 'Adaline',
  lastName: 'Quinnell',
  birthMonth: 3,
  birthDay: 14,
  country: 'US',
  boards: [{ boardId: 'ABIM', learnerBoardId: '731905' }],
  licenses: [{ state: 'CA', licenseNumber: 'A98765' }],
  npi: '1234567893',
};

/**
 * A downstream service hears what the ledger recorded: the API runs the webhook feed; a
 * service sends a command and receives the matching CloudEvent, signed; operators steer the
 * feed over the admin routes.
 */
describe('the event feed over HTTP (webhook, run by the API process)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  const http = () => request(t.app.getHttpServer());
  const admin = bearer('admin');

  beforeAll(async () => {
    receiver = new WebhookReceiver(SECRET);
    await receiver.start();
    const feed = loadConfig({}).feed;
    t = await startTestApp('feed', {
      feed: {
        ...feed,
        initialBackoffMs: 20,
        maxBackoffMs: 200,
        webhook: { url: receiver.url, secrets: [SECRET], timeoutMs: 2000, maxAttempts: 1 },
      },
    });
  });
  afterAll(async () => {
    await t.close();
    await receiver.stop();
  });

  const now = (): string => new Date(Date.now() - 60_000).toISOString();
  const receivedAt = (position: string): LedgerCloudEvent =>
    eventuallyFound(
      receiver.received.map((r) => r.event).find((e) => e.ledgerposition === position),
    );
  const eventuallyFound = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('not received yet');
    return value;
  };

  it('a service sends a command and receives the matching CloudEvent: its position, its correlation id, no personal data', async () => {
    const profile = await http()
      .put('/v1/learners/ada-feed/profile')
      .set(bearer('service'))
      .set('X-Correlation-Id', 'billing-7f3a')
      .send(PROFILE)
      .expect(200);
    const event = await eventually(() => receivedAt(profile.body.position));
    expect(event).toMatchObject({
      specversion: '1.0',
      type: 'cme.ledger.LearnerProfileUpdated.v1',
      subject: 'learner-ada-feed',
      correlationid: 'billing-7f3a',
      ledgerrevision: profile.body.revision,
      data: {
        profileVersion: 1,
        clinicalRole: 'physician',
        boards: ['ABIM'],
        licenseStates: ['CA'],
      },
    });
    const research = await http()
      .post('/v1/learners/ada-feed/questions-researched')
      .set(bearer('service'))
      .send({ researchId: 'feed-r1', occurredAt: now() })
      .expect(201);
    const researched = await eventually(() => receivedAt(research.body.position));
    expect(researched).toMatchObject({
      type: 'cme.ledger.QuestionResearched.v1',
      data: { researchId: 'feed-r1', twelfths: '6' },
    });
    const bodies = receiver.received.map((r) => r.body).join('\n');
    // As a token of its own: the board id 731905 may stand inside a position by chance.
    expect(
      ['Adaline', 'Quinnell', '731905', '1234567893', 'A98765'].filter((personal) =>
        standsIn(bodies, personal),
      ),
    ).toEqual([]);
    expect(receiver.forged).toEqual([]);
  });

  it('operators see the feed, replay it from a position, and replay a dead letter; others may not', async () => {
    const status = await http().get('/v1/admin/feed').set(admin).expect(200);
    expect(status.body.feeds).toEqual([
      expect.objectContaining({ name: 'webhook', deadLetters: 0, lastError: null }),
    ]);
    await http().get('/v1/admin/feed').set(bearer('service')).expect(403);
    await http()
      .post('/v1/admin/feed/webhook/replay')
      .set(bearer('service'))
      .send({ after: '0' })
      .expect(403);
    const bad = await http()
      .post('/v1/admin/feed/webhook/replay')
      .set(admin)
      .send({ after: 'x1' })
      .expect(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ field: 'after' })]);
    const nats = await http()
      .post('/v1/admin/feed/nats/replay')
      .set(admin)
      .send({ after: '0' })
      .expect(404);
    expect(nats.body.message).toContain('LEDGER_FEED_NATS_SERVERS');

    const before = receiver.received.length;
    await http().post('/v1/admin/feed/webhook/replay').set(admin).send({ after: '0' }).expect(202);
    await eventually(() => expect(receiver.received.length).toBe(2 * before));
    expect(receiver.received.slice(before).map((r) => r.event.id)).toEqual(
      receiver.received.slice(0, before).map((r) => r.event.id),
    );

    // The receiver refuses the next event: it is a dead letter, listed; replayed once accepted.
    receiver.answer = () => 422;
    const refused = await http()
      .post('/v1/learners/ada-feed/questions-researched')
      .set(bearer('service'))
      .send({ researchId: 'feed-r2', occurredAt: now() })
      .expect(201);
    const letters = await eventually(async () => {
      const res = await http().get('/v1/admin/feed/webhook/dead-letters').set(admin).expect(200);
      expect(res.body.deadLetters).toHaveLength(1);
      return res.body.deadLetters as { eventId: string; position: string; lastError: string }[];
    });
    expect(letters[0]).toMatchObject({
      position: refused.body.position,
      lastError: 'webhook: HTTP 422',
    });
    receiver.answer = () => 200;
    const replay = await http()
      .post('/v1/admin/feed/webhook/dead-letters/replay')
      .set(admin)
      .send({})
      .expect(202);
    expect(replay.body).toMatchObject({ requested: 1 });
    await eventually(() => receivedAt(refused.body.position));
    const after = await http().get('/v1/admin/feed/webhook/dead-letters').set(admin).expect(200);
    expect(after.body.deadLetters).toEqual([]);
  });
});
