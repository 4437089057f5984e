import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from 'nats';
import type { DataSource } from 'typeorm';
import { eventually } from '../../../test/support/eventually';
import type { LedgerFixture } from '../../../test/support/ledger-fixture';
import type { LedgerCloudEvent } from './cloud-event';
import { requestFeedReplay } from './feed-admin';
import { FeedProcessor } from './feed-processor';
import { NatsTransport } from './nats-transport';
import { expectEveryEventOnce, feedFixture, wholeLog, writeLearner } from './testing/feed-fixture';
import { TestNatsServer } from './testing/nats-server';

const STREAM = 'CME_LEDGER_TEST';

/**
 * The NATS JetStream feed against a real nats-server the test starts (and kills): the broker
 * acknowledges each event before the feed moves on, drops an event sent twice by its id, and a
 * consumer that dies anywhere reads everything once it is back.
 */
describe('the NATS JetStream feed', () => {
  let nats: TestNatsServer;
  let ledger: LedgerFixture;
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let feed: FeedProcessor | undefined;
  const work = mkdtempSync(join(tmpdir(), 'cme-ledger-feed-'));

  beforeEach(async () => {
    nats = await TestNatsServer.start();
    ({ ledger, dataSource, close } = await feedFixture('nats_feed'));
  });
  afterEach(async () => {
    await feed?.stop();
    feed = undefined;
    await close();
    await nats.destroy();
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const startFeed = (): FeedProcessor => {
    feed = new FeedProcessor(
      dataSource,
      ledger.store,
      new NatsTransport({
        servers: nats.url,
        stream: STREAM,
        subjectPrefix: 'cme.ledger',
        duplicateWindowMs: 120_000,
        publishTimeoutMs: 1000,
      }),
      {
        source: 'urn:cme-ledger:test',
        batchSize: 10,
        maxAttempts: 3,
        initialBackoffMs: 20,
        maxBackoffMs: 250,
        pollMs: 50,
      },
    );
    feed.start();
    return feed;
  };

  /** Every message the JetStream stream holds, in its order. */
  const streamContents = async (): Promise<
    { event: LedgerCloudEvent; body: string; subject: string; msgId: string | undefined }[]
  > => {
    const connection: NatsConnection = await connect({ servers: nats.url });
    try {
      const manager = await connection.jetstreamManager();
      const { state } = await manager.streams.info(STREAM);
      const messages = [];
      for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
        const message = await manager.streams.getMessage(STREAM, { seq });
        const body = new TextDecoder().decode(message.data);
        messages.push({
          event: JSON.parse(body) as LedgerCloudEvent,
          body,
          subject: message.subject,
          msgId: message.header.get('Nats-Msg-Id') || undefined,
        });
      }
      return messages;
    } finally {
      await connection.close();
    }
  };

  it('publishes each event once, with Nats-Msg-Id = CloudEvents id, on a subject by stream kind and type', async () => {
    await writeLearner(ledger, 'ada');
    startFeed();
    const log = await wholeLog(ledger);
    await eventually(async () => expect(await streamContents()).toHaveLength(log.length));
    const contents = await streamContents();
    expect(contents.map((m) => m.event.id)).toEqual(log.map((e) => e.id));
    expect(contents.every((m) => m.msgId === m.event.id)).toBe(true);
    expect(contents.map((m) => m.subject)).toContain('cme.ledger.learner.CreditClaimed');
    expectEveryEventOnce(contents, log);
  });

  it('the broker killed and restarted twice under load loses nothing and stores nothing twice', async () => {
    startFeed();
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) await writeLearner(ledger, `load-${written++}`);
    })();
    for (let round = 0; round < 2; round++) {
      await eventually(async () =>
        expect((await wholeLog(ledger)).length).toBeGreaterThan((round + 1) * 40),
      );
      await nats.kill();
      await new Promise((r) => setTimeout(r, 400));
      await nats.restart();
    }
    await new Promise((r) => setTimeout(r, 500));
    writing = false;
    await writer;
    const log = await wholeLog(ledger);
    expect(written).toBeGreaterThan(10);
    await eventually(
      async () => expect((await streamContents()).length).toBeGreaterThanOrEqual(log.length),
      {
        timeoutMs: 30_000,
        intervalMs: 250,
      },
    );
    const contents = await streamContents();
    // Nothing lost, nothing twice (the broker dropped what was sent again by its id), log order.
    expect(contents.map((m) => m.event.id)).toEqual(log.map((e) => e.id));
  });

  it('a replay from a position sends again what the broker already holds: it drops it by id', async () => {
    await writeLearner(ledger, 'ada');
    await writeLearner(ledger, 'bo');
    startFeed();
    const log = await wholeLog(ledger);
    await eventually(async () => expect(await streamContents()).toHaveLength(log.length));
    await requestFeedReplay(dataSource, 'nats', 0n);
    await writeLearner(ledger, 'cy');
    const after = await wholeLog(ledger);
    await eventually(async () => expect(await streamContents()).toHaveLength(after.length));
    expect((await streamContents()).map((m) => m.event.id)).toEqual(after.map((e) => e.id));
  });

  it('a consumer killed twice and restarted receives every event exactly once after dedupe, in order per stream', async () => {
    const output = join(work, 'consumer.jsonl');
    const startConsumer = (): ChildProcess =>
      spawn(
        process.execPath,
        [join(__dirname, 'testing', 'jetstream-consumer.js'), nats.url, STREAM, 'billing', output],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
    const received = (): { event: LedgerCloudEvent; body: string }[] =>
      existsSync(output)
        ? readFileSync(output, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((body) => ({ event: JSON.parse(body) as LedgerCloudEvent, body }))
        : [];
    const kill = async (child: ChildProcess): Promise<void> => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    };
    for (let i = 0; i < 8; i++) await writeLearner(ledger, `early-${i}`);
    startFeed();
    let consumer = startConsumer();
    try {
      for (const atLeast of [8, 30]) {
        await eventually(() => expect(received().length).toBeGreaterThan(atLeast), {
          timeoutMs: 20_000,
        });
        await kill(consumer);
        for (let i = 0; i < 3; i++) await writeLearner(ledger, `while-down-${atLeast}-${i}`);
        consumer = startConsumer();
      }
      for (let i = 0; i < 4; i++) await writeLearner(ledger, `late-${i}`);
      const log = await wholeLog(ledger);
      await eventually(() => expectEveryEventOnce(received(), log), {
        timeoutMs: 30_000,
        intervalMs: 200,
      });
    } finally {
      await kill(consumer);
    }
  });
});
