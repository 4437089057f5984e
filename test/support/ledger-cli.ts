import { PassThrough } from 'node:stream';
import { runCli } from '../../apps/cli/src/cli';

/** `npm run ledger -- <argv>` in this process, with its own environment: exit code and output. */
export async function ledgerCli(
  env: NodeJS.ProcessEnv,
  ...argv: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await runCli(argv, { stdout, stderr, stdin: new PassThrough() }, env);
  return { code, stdout: out, stderr: err };
}

/** Fails with what the CLI printed when a run did not end with the expected exit code. */
export function expectExit(
  run: { code: number; stdout: string; stderr: string },
  code: number,
): void {
  if (run.code !== code) {
    throw new Error(
      `the ledger CLI exited with ${run.code}, not ${code}\nstderr:\n${run.stderr}\nstdout:\n${run.stdout.slice(0, 4000)}`,
    );
  }
}
