/**
 * Captures what the process writes to stdout (and keeps it off the terminal) until `restore()`.
 * Install it before the app is created: pino writes through `process.stdout.write` only when it
 * finds that method replaced, otherwise straight to file descriptor 1.
 */
export function captureStdout(): { lines: () => string[]; restore: () => void } {
  const original = Object.getOwnPropertyDescriptor(process.stdout, 'write');
  let buffer = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    buffer += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const callback = rest.find((r): r is () => void => typeof r === 'function');
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  return {
    lines: () => buffer.split('\n').filter((line) => line.trim() !== ''),
    restore: () => {
      if (original) Object.defineProperty(process.stdout, 'write', original);
      else delete (process.stdout as { write?: unknown }).write;
    },
  };
}
