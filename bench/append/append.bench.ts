/**
 * `npm run bench:append`: prints the event store's append and read throughput next to raw SQL
 * on the same server. PostgreSQL: DATABASE_URL's server when set (a fresh database, dropped
 * afterwards), otherwise an embedded server in a temporary folder. Exits 0 even when a target
 * is missed (it is a measurement, not a test); a missed target reads MISS.
 *
 * Options: --seconds=N (measured seconds per side of each append case, default 10).
 */
import { formatAppendReport, runAppendBenchReport } from './run-append-bench';

async function main(): Promise<void> {
  const seconds = process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1];
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const report = await runAppendBenchReport({
    log,
    ...(seconds ? { caseSeconds: Number(seconds) } : {}),
  });
  process.stdout.write(`\nbench/append\n${formatAppendReport(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/append failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
