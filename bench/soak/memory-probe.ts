/**
 * Loaded with `node --require` into each process of bench/soak: every SOAK_PROBE_MS it appends
 * one JSON line of this process's memory (RSS, V8 heap used and total, external) to
 * SOAK_PROBE_FILE. On SIGUSR2 it writes a heap snapshot next to that file (to compare two).
 */
import { appendFileSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';

const file = process.env.SOAK_PROBE_FILE;
if (file) {
  const every = Number(process.env.SOAK_PROBE_MS ?? 5000);
  const sample = (): void => {
    const m = process.memoryUsage();
    appendFileSync(
      file,
      `${JSON.stringify({ t: Date.now(), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}\n`,
    );
  };
  sample();
  setInterval(sample, every).unref();
  let snapshots = 0;
  process.on('SIGUSR2', () => {
    snapshots += 1;
    writeHeapSnapshot(`${file}.${snapshots}.heapsnapshot`);
  });
}
