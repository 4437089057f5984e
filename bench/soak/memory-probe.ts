/**
 * Loaded with `node --require` into each process of bench/soak: every SOAK_PROBE_MS it appends
 * one JSON line of this process's memory to SOAK_PROBE_FILE: RSS; the V8 heap's used and
 * committed bytes (heapUsed, heapTotal); external, the memory of objects V8 does not allocate
 * itself (Buffers' and ArrayBuffers' contents among them), and arrayBuffers, that part alone.
 * What RSS holds beyond heapTotal and external is native memory (malloc's heap, code, stacks).
 * On SIGUSR2 it writes a heap snapshot next to that file (to compare two).
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
      `${JSON.stringify({
        t: Date.now(),
        rss: m.rss,
        heapUsed: m.heapUsed,
        heapTotal: m.heapTotal,
        external: m.external,
        arrayBuffers: m.arrayBuffers,
      })}\n`,
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
