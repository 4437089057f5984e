/**
 * One critical section per key inside this process. The command executor keys it by stream:
 * commands for one learner run one after the other here, so that they do not waste work on
 * conflicts they would surely have (across processes the expected revision still guards every
 * append). The checkpointed-processor host keys it by lease: batches and the work between them
 * take turns on the lease's connection.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
