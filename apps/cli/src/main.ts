import 'reflect-metadata';
import { describeError } from '@ledger/runtime';
import { runCli } from './cli';

/** `npm run ledger -- <command>`: the auditors' and operators' CLI (see cli.ts for the commands). */
runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(
      `ledger failed: ${describeError(error)}\n${error instanceof Error ? (error.stack ?? '') : ''}\n`,
    );
    process.exitCode = 1;
  });
