import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointSigner } from '@ledger/audit';
import { checkpointSigner, developmentKeyFile } from './checkpoint-key';

describe('the checkpoint key', () => {
  let dataDir: string;
  beforeEach(() => (dataDir = mkdtempSync(join(tmpdir(), 'ledger-key-'))));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('outside production, without LEDGER_CHECKPOINT_KEY: generated once under the data folder (0600) and kept', () => {
    const first = checkpointSigner({ checkpointKey: undefined, dataDir, production: false });
    const file = developmentKeyFile({ dataDir });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const again = checkpointSigner({ checkpointKey: undefined, dataDir, production: false });
    expect(again.keyId).toBe(first.keyId);
  });

  it('the configured key wins, and production never generates one', () => {
    const { signer, pem } = CheckpointSigner.generate();
    expect(checkpointSigner({ checkpointKey: pem, dataDir, production: true }).keyId).toBe(
      signer.keyId,
    );
    expect(() => checkpointSigner({ checkpointKey: undefined, dataDir, production: true })).toThrow(
      /LEDGER_CHECKPOINT_KEY is required in production/,
    );
  });
});
