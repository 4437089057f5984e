import { mkdir, open, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { SignedCheckpoint } from './checkpoint';

/**
 * Where signed checkpoints are kept outside the database, so that whoever controls the database
 * cannot take back a root the ledger signed. The seam for other witnesses (an object store with
 * a retention lock, a transparency service); the default is a folder.
 */
export interface CheckpointWitness {
  /** Keeps one more checkpoint; never changes what it kept. */
  append(checkpoint: SignedCheckpoint): Promise<void>;
  /** Every checkpoint kept, oldest first. */
  all(): Promise<SignedCheckpoint[]>;
  readonly description: string;
}

/**
 * An append-only folder: `checkpoints.ndjson`, one checkpoint a line, opened for appending only
 * and flushed to disk before the checkpoint counts as kept. Point it at storage the database's
 * administrators cannot write (another machine's mount, a write-once bucket synced from it).
 */
export class FolderWitness implements CheckpointWitness {
  readonly file: string;

  constructor(readonly folder: string) {
    this.file = join(resolve(folder), 'checkpoints.ndjson');
  }

  get description(): string {
    return `folder ${resolve(this.folder)}`;
  }

  async append(checkpoint: SignedCheckpoint): Promise<void> {
    await mkdir(resolve(this.folder), { recursive: true, mode: 0o700 });
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.write(`${JSON.stringify(checkpoint)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async all(): Promise<SignedCheckpoint[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return text
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line, i) => {
        try {
          return JSON.parse(line) as SignedCheckpoint;
        } catch {
          throw new Error(`${this.file}: line ${i + 1} is not a checkpoint (JSON)`);
        }
      });
  }
}
