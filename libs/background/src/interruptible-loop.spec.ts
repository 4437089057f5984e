import { eventually } from '../../../test/support/eventually';
import { exponentialBackoff, InterruptibleLoop } from './interruptible-loop';

/** A loop whose turns are counted; each turn answers the wait it is given. */
function countingLoop(waits: () => number, options: { fail?: (turn: number) => unknown } = {}) {
  const seen = { turns: 0, failures: [] as number[], recoveries: [] as number[] };
  const loop = new InterruptibleLoop({
    turn: async () => {
      seen.turns += 1;
      const error = options.fail?.(seen.turns);
      if (error !== undefined) throw error;
      return waits();
    },
    classify: (error) => (error instanceof TypeError ? 'permanent' : 'transient'),
    backoffMs: () => 1,
    onFailure: (_error, failures) => void seen.failures.push(failures),
    onRecovery: (failures) => void seen.recoveries.push(failures),
  });
  return { loop, seen };
}

/** A loop whose turns may wait for `release()`; every error is permanent. */
function heldLoop(turn: (n: number) => Promise<number>) {
  let resolve!: () => void;
  const held = new Promise<void>((r) => (resolve = r));
  const release = Object.assign(() => resolve(), { held });
  let turns = 0;
  const loop = new InterruptibleLoop({
    turn: () => turn((turns += 1)),
    classify: () => 'permanent',
  });
  return { loop, turns: () => turns, release };
}

describe('the interruptible loop', () => {
  it('waits as long as a turn asks (until woken, here), and a wake ends the wait at once', async () => {
    const { loop, seen } = countingLoop(() => Number.POSITIVE_INFINITY);
    void loop.start();
    await eventually(() => expect(seen.turns).toBe(1));
    loop.wake();
    await eventually(() => expect(seen.turns).toBe(2));
    loop.wake();
    await eventually(() => expect(seen.turns).toBe(3));
    await loop.stop();
  });

  it('keeps a wake that comes during a turn: the next wait ends at once, nothing is missed', async () => {
    const { loop, turns, release } = heldLoop(async (turn) => {
      if (turn === 1) await release.held;
      return Number.POSITIVE_INFINITY;
    });
    void loop.start();
    await eventually(() => expect(turns()).toBe(1));
    loop.wake(); // while the first turn is still working
    release();
    await eventually(() => expect(turns()).toBe(2));
    await loop.stop();
  });

  it('retries a failure that may pass after a backoff, counting consecutive failures, and reports the recovery', async () => {
    const { loop, seen } = countingLoop(() => Number.POSITIVE_INFINITY, {
      fail: (turn) => (turn <= 3 ? new Error('database restarting') : undefined),
    });
    void loop.start();
    await eventually(() => expect(seen.turns).toBe(4));
    expect(seen.failures).toEqual([1, 2, 3]);
    expect(seen.recoveries).toEqual([3]);
    expect(loop.failures).toBe(0);
    await loop.stop();
  });

  it('ends on a failure retrying cannot cure: done rejects with it', async () => {
    const { loop, seen } = countingLoop(() => 0, {
      fail: (turn) => (turn === 2 ? new TypeError('positions do not increase') : undefined),
    });
    await expect(loop.start()).rejects.toThrow('positions do not increase');
    expect(seen.turns).toBe(2);
    expect(seen.failures).toEqual([]);
  });

  it('stop() ends a wait at once', async () => {
    const { loop, seen } = countingLoop(() => Number.POSITIVE_INFINITY);
    const done = loop.start();
    await eventually(() => expect(seen.turns).toBe(1));
    await loop.stop();
    await expect(done).resolves.toBeUndefined();
    expect(seen.turns).toBe(1);
  });

  it('ends quietly when the turn in progress at stop() throws on the way out', async () => {
    const { loop, turns, release } = heldLoop(async () => {
      await release.held;
      throw new TypeError('connection closed by stop');
    });
    const done = loop.start();
    await eventually(() => expect(turns()).toBe(1));
    const stopped = loop.stop();
    release();
    await stopped;
    await expect(done).resolves.toBeUndefined();
  });

  it('backs off exponentially from 100 ms up to 5 s by default', () => {
    expect([1, 2, 3, 6, 7, 20].map(exponentialBackoff)).toEqual([100, 200, 400, 3200, 5000, 5000]);
  });
});
