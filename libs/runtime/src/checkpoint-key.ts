import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CheckpointSigner } from '@ledger/audit';
import type { LedgerConfig } from './config';

/** Where a development key is kept when LEDGER_CHECKPOINT_KEY is unset (outside production). */
export const developmentKeyFile = (config: Pick<LedgerConfig, 'dataDir'>): string =>
  join(resolve(config.dataDir), 'checkpoint-key.pem');

/**
 * The checkpoint key: LEDGER_CHECKPOINT_KEY, or (outside production only, where configuration
 * refuses to start without it) a key generated once under the data folder, mode 0600, and kept
 * there so that a restart signs with the same key. Never from the database.
 */
export function checkpointSigner(
  config: Pick<LedgerConfig, 'checkpointKey' | 'dataDir' | 'production'>,
): CheckpointSigner {
  if (config.checkpointKey) return CheckpointSigner.fromPem(config.checkpointKey);
  if (config.production) {
    throw new Error('LEDGER_CHECKPOINT_KEY is required in production');
  }
  const file = developmentKeyFile(config);
  try {
    return CheckpointSigner.fromPem(readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(
        `${file}: not a checkpoint key (${(error as Error).message}); delete it to get a new one`,
      );
    }
  }
  const { signer, pem } = CheckpointSigner.generate();
  mkdirSync(resolve(config.dataDir), { recursive: true });
  try {
    writeFileSync(file, pem, { flag: 'wx', mode: 0o600 });
    return signer;
  } catch (error) {
    // Another process of this data folder wrote it first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return CheckpointSigner.fromPem(readFileSync(file, 'utf8'));
    }
    throw error;
  }
}
