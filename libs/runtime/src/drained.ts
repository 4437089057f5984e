import type { Writable } from 'node:stream';

/**
 * Waits until a stream can take more (its `write` answered false), or it closed: how the API's
 * export and the CLI's output keep to their reader's pace.
 */
export function drained(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}
