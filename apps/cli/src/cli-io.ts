import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { drained } from '@ledger/runtime';

/** Where the CLI writes: stdout for results (JSON, NDJSON), stderr for progress and logs. */
export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
}

/** Writes and waits when the stream asks to (backpressure), or when it closed. */
export async function write(stream: Writable, text: string): Promise<void> {
  if (!stream.write(text)) await drained(stream);
}

/**
 * The lines of a file (`-`: stdin), read as a stream. The file is opened when the iteration
 * starts: lines read before anyone listens would be lost.
 */
export async function* linesOf(file: string, io: CliIo): AsyncGenerator<string> {
  const input = file === '-' ? io.stdin : createReadStream(file, { encoding: 'utf8' });
  yield* createInterface({ input, crlfDelay: Infinity });
}

export const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

/** Usage errors: the command line is wrong (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

const POSITION = /^(0|[1-9][0-9]{0,18})$/;

export function position(name: string, value: string | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  if (!POSITION.test(value) || BigInt(value) > 0x7fff_ffff_ffff_ffffn) {
    throw new UsageError(`--${name} must be a position (a 64-bit whole number), not "${value}"`);
  }
  return BigInt(value);
}
