import { randomBytes } from 'node:crypto';
import { startProcess, type RunningProcess } from '../../../test/support/processes';
import { eventually } from '../../../test/support/eventually';
import type { LedgerFixture } from '../../../test/support/ledger-fixture';
import { expectEveryEventOnce, feedFixture, wholeLog, writeLearner } from './testing/feed-fixture';
import { WebhookReceiver } from './testing/webhook-receiver';

const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/**
 * The feed in a real worker process, killed (SIGKILL) in the middle of a batch: what it had
 * sent since its checkpoint is sent again by the next worker, with the same ids, and after
 * dedupe the receiver holds every event once, each stream in order.
 */
describe('the feed process killed mid-batch', () => {
  let ledger: LedgerFixture;
  let close: () => Promise<void>;
  let receiver: WebhookReceiver;
  let worker: RunningProcess | undefined;

  beforeAll(async () => {
    ({ ledger, close } = await feedFixture('feed_killed'));
    receiver = new WebhookReceiver(SECRET);
    await receiver.start();
  });
  afterAll(async () => {
    await worker?.kill('SIGTERM');
    await receiver.stop();
    await close();
  });

  const startWorker = (): RunningProcess =>
    startProcess('worker', {
      DATABASE_URL: ledger.url,
      LEDGER_FEED_WEBHOOK_URL: receiver.url,
      LEDGER_FEED_WEBHOOK_SECRET: SECRET,
      LEDGER_FEED_BATCH: '1000',
      LEDGER_FEED_BACKOFF_INITIAL_MS: '20',
      LEDGER_FEED_BACKOFF_MAX_MS: '200',
    });

  it('the next worker sends again what followed the checkpoint; every event arrives, once after dedupe', async () => {
    for (let i = 0; i < 10; i++) await writeLearner(ledger, `killed-${i}`);
    // The receiver keeps the 11th delivery unanswered: the worker is killed with it in flight,
    // whatever the machine's speed (a slow answer raced the test's polling before).
    receiver.holdAfter = 11;
    worker = startWorker();
    await worker.waitForOutput(/cme-ledger worker started/);
    await eventually(() => expect(receiver.received.length).toBeGreaterThanOrEqual(11));
    await worker.kill('SIGKILL');
    const beforeRestart = receiver.received.length;
    receiver.release();
    worker = startWorker();
    await worker.waitForOutput(/cme-ledger worker started/);
    const log = await wholeLog(ledger);
    await eventually(() => expectEveryEventOnce(receiver.received, log), { timeoutMs: 30_000 });
    // At least once: what the killed worker had delivered since its checkpoint came again.
    expect(beforeRestart).toBeLessThan(log.length);
    expect(receiver.received.length).toBeGreaterThan(log.length);
    // This bounds a hang only: two cold starts of the worker on a loaded machine.
  }, 180_000);
});
