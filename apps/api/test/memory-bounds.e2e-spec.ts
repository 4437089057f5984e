import { randomUUID } from 'node:crypto';
import { getHeapStatistics } from 'node:v8';
import request from 'supertest';
import { KEY_ENTRY_BYTES } from '@ledger/ledger';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';
import { learnerApi } from './audit.fixtures';

const MIB = 1024 * 1024;

/** The value of one series in a Prometheus text answer (undefined when it is not there). */
const series = (text: string, name: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
};

describe("/metrics shows each cache's bound as configured, what it holds, and the heap's limit", () => {
  let t: TestApp;
  beforeAll(async () => {
    // LEDGER_STREAM_CACHE_MB=3, LEDGER_KEY_CACHE_MB=2, LEDGER_VERIFIED_CACHE_MB=1
    t = await startTestApp('memory-bounds', {
      streamCacheBytes: 3 * MIB,
      keyCacheBytes: 2 * MIB,
      verifiedCacheBytes: 1 * MIB,
      runBoardProcess: false,
    });
  });
  afterAll(async () => t?.close());

  it('the learner keys and folded streams a command used, within the bounds of the configuration', async () => {
    const api = learnerApi(t.app);
    const learners = [randomUUID(), randomUUID()];
    for (const id of learners) await api.profile(id).expect(200);
    await api.answer(learners[0]!, 'q-1').expect(201);
    const text = (
      await request(t.app.getHttpServer()).get('/metrics').set(bearer('admin')).expect(200)
    ).text;
    expect(series(text, 'ledger_cache_limit_bytes{cache="learner-keys"}')).toBe(2 * MIB);
    expect(series(text, 'ledger_cache_limit_bytes{cache="folded-streams"}')).toBe(3 * MIB);
    expect(series(text, 'ledger_cache_entries{cache="learner-keys"}')).toBe(2);
    expect(series(text, 'ledger_cache_bytes{cache="learner-keys"}')).toBe(2 * KEY_ENTRY_BYTES);
    expect(series(text, 'ledger_cache_entries{cache="folded-streams"}')).toBe(2);
    expect(series(text, 'ledger_cache_bytes{cache="folded-streams"}')).toBeGreaterThan(0);
    // The streams verified on load, remembered by name: 64 bytes and two a character each.
    const verified = learners.map((id) => 64 + 2 * `learner-${id}`.length);
    expect(series(text, 'ledger_cache_limit_bytes{cache="verified-streams"}')).toBe(1 * MIB);
    expect(series(text, 'ledger_cache_entries{cache="verified-streams"}')).toBe(2);
    expect(series(text, 'ledger_cache_bytes{cache="verified-streams"}')).toBe(
      verified[0]! + verified[1]!,
    );
    // The process's memory: the heap's limit is --max-old-space-size's (here, jest's own).
    expect(series(text, 'ledger_process_memory_bytes{kind="heap_limit"}')).toBe(
      getHeapStatistics().heap_size_limit,
    );
    for (const kind of ['rss', 'heap_used', 'heap_total', 'external', 'array_buffers'])
      expect(series(text, `ledger_process_memory_bytes{kind="${kind}"}`)).toBeGreaterThan(0);
  });
});
