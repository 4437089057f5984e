import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { eventually } from '../../../test/support/eventually';
import type { LedgerFixture } from '../../../test/support/ledger-fixture';
import {
  listDeadLetters,
  requestDeadLetterReplay,
  requestFeedReplay,
  feedStatus,
} from './feed-admin';
import { FeedProcessor } from './feed-processor';
import { expectEveryEventOnce, feedFixture, wholeLog, writeLearner } from './testing/feed-fixture';
import { WebhookReceiver } from './testing/webhook-receiver';
import { WebhookTransport } from './webhook-transport';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The webhook feed against a receiver over HTTP: every event arrives signed, in order per
 * stream, whatever the receiver went through; what it refuses waits in the dead-letter list.
 */
describe('the webhook feed', () => {
  let ledger: LedgerFixture;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let receiver: WebhookReceiver;
  const feeds: FeedProcessor[] = [];

  const startFeed = (maxAttempts = 3): FeedProcessor => {
    const feed = new FeedProcessor(
      dataSource,
      ledger.store,
      new WebhookTransport({ url: receiver.url, secrets: [SECRET], timeoutMs: 2000 }),
      {
        source: 'urn:cme-ledger:test',
        batchSize: 7,
        maxAttempts,
        initialBackoffMs: 20,
        maxBackoffMs: 200,
        pollMs: 50,
      },
    );
    feeds.push(feed);
    feed.start();
    return feed;
  };

  beforeEach(async () => {
    ({ ledger, dataSource, close } = await feedFixture('webhook_feed'));
    receiver = new WebhookReceiver(SECRET);
    await receiver.start();
  });
  afterEach(async () => {
    for (const feed of feeds.splice(0)) await feed.stop();
    await receiver.stop();
    await close();
  });

  it('a receiver that is down, then failing, for a while gets every event once it recovers', async () => {
    await receiver.stop();
    startFeed();
    for (let i = 0; i < 6; i++) await writeLearner(ledger, `down-${i}`);
    // The feed has met the receiver down (a wait of fixed length proved nothing when slow).
    await eventually(async () =>
      expect((await feedStatus(dataSource, 'webhook'))?.lastError).toEqual(expect.any(String)),
    );
    await receiver.start();
    let failing = true;
    let refused = 0;
    receiver.answer = () => {
      if (!failing) return 200;
      refused += 1;
      return 503;
    };
    for (let i = 0; i < 4; i++) await writeLearner(ledger, `failing-${i}`);
    // And then failing, more than once.
    await eventually(() => expect(refused).toBeGreaterThanOrEqual(2));
    expect(receiver.received).toHaveLength(0);
    failing = false;
    const log = await wholeLog(ledger);
    await eventually(() => expectEveryEventOnce(receiver.received, log), { timeoutMs: 20_000 });
    expect(receiver.forged).toEqual([]);
    // The receiver has the last batch a moment before the feed records its checkpoint.
    await eventually(async () =>
      expect(await feedStatus(dataSource, 'webhook')).toMatchObject({
        position: log[log.length - 1]?.position.toString(),
        deadLetters: 0,
        lastError: null,
      }),
    );
  });

  it('the feed process stopped mid-way and another started: every event, each once after dedupe', async () => {
    for (let i = 0; i < 5; i++) await writeLearner(ledger, `first-${i}`);
    const first = startFeed();
    await eventually(() => expect(receiver.received.length).toBeGreaterThan(5));
    await first.stop();
    const second = startFeed();
    for (let i = 0; i < 5; i++) await writeLearner(ledger, `second-${i}`);
    const log = await wholeLog(ledger);
    await eventually(() => expectEveryEventOnce(receiver.received, log), { timeoutMs: 20_000 });
    expect(second.state).toBe('running');
  });

  it('an event the receiver refuses is a dead letter; its stream waits behind it, others go on; a replay delivers them in order', async () => {
    await writeLearner(ledger, 'refused');
    await writeLearner(ledger, 'fine');
    const refusedClaim = (await ledger.store.readStream('learner-refused')).find(
      (e) => e.type === 'CreditClaimed',
    );
    let refusing = true;
    receiver.answer = (event) => (refusing && event.id === refusedClaim?.id ? 422 : 200);
    startFeed(2);
    await eventually(async () => {
      const letters = await listDeadLetters(dataSource, 'webhook');
      expect(letters).toEqual([
        expect.objectContaining({
          eventId: refusedClaim?.id,
          attempts: 2,
          lastError: 'webhook: HTTP 422',
        }),
      ]);
    });
    // A later event of that stream is parked behind it, never sent; another stream goes on.
    await ledger.learner('refused', {
      type: 'RecordResearch',
      data: { researchId: 'refused-r4', occurredAt: new Date('2026-11-28T11:00:00Z') },
    });
    await writeLearner(ledger, 'after');
    await eventually(async () => {
      expect(receiver.received.filter((r) => r.event.subject === 'learner-after')).toHaveLength(5);
      const letters = await listDeadLetters(dataSource, 'webhook');
      expect(letters.map((l) => l.parkedBehind)).toEqual([null, refusedClaim?.id]);
    });
    expect(receiver.received.filter((r) => r.event.subject === 'learner-refused')).toHaveLength(4);

    refusing = false;
    expect(await requestDeadLetterReplay(dataSource, 'webhook')).toBe(2);
    const log = await wholeLog(ledger);
    // The receiver holds an event before the feed hears its answer and clears the dead letter:
    // both are waited for (checked one after the other, a slow feed lost the race).
    await eventually(
      async () => {
        expectEveryEventOnce(receiver.received, log);
        expect(await listDeadLetters(dataSource, 'webhook')).toEqual([]);
      },
      { timeoutMs: 20_000 },
    );
    // The stream is no longer parked: its next event goes straight out.
    await ledger.learner('refused', {
      type: 'RecordResearch',
      data: { researchId: 'refused-r5', occurredAt: new Date('2026-11-28T11:00:00Z') },
    });
    await eventually(() =>
      expect(receiver.received.filter((r) => r.event.subject === 'learner-refused')).toHaveLength(
        7,
      ),
    );
  });

  it('a replay from a position sends every event after it again, in order', async () => {
    for (let i = 0; i < 3; i++) await writeLearner(ledger, `replay-${i}`);
    startFeed();
    const log = await wholeLog(ledger);
    await eventually(() => expectEveryEventOnce(receiver.received, log));
    const from = log[4]!.position;
    const before = receiver.received.length;
    await requestFeedReplay(dataSource, 'webhook', from);
    await eventually(() => expect(receiver.received.length).toBe(before + log.length - 5));
    expect(receiver.received.slice(before).map((r) => r.event.id)).toEqual(
      log.slice(5).map((e) => e.id),
    );
  });
});
