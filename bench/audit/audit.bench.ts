/**
 * `npm run bench:audit`: prints how fast the audit tools go over a log of at least 200,000 events
 * (verify, digest, export, check-export) in events per second, with the peak memory of each.
 * PostgreSQL: DATABASE_URL's server when set (a fresh database, dropped afterwards), otherwise an
 * embedded server in a temporary folder.
 *
 * Options: --learners=N (each adds 56 events; default 3,600 → 201,600 events).
 */
import { formatAuditReport, runAuditBenchReport } from './run-audit-bench';

async function main(): Promise<void> {
  const learners = process.argv.find((a) => a.startsWith('--learners='))?.split('=')[1];
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const report = await runAuditBenchReport({
    log,
    ...(learners ? { learners: Number.parseInt(learners, 10) } : {}),
  });
  process.stdout.write(`\nbench/audit\n${formatAuditReport(report)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench/audit failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exitCode = 1;
});
