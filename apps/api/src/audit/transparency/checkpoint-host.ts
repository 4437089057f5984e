// Nest's lifecycle hooks, as every background host (operations/background-host.ts) imports them.
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Checkpointer, CheckpointSigner, FolderWitness, LogTree } from '@ledger/audit';
import type { LedgerConfig } from '@ledger/runtime';
import { LEDGER_CONFIG } from '../../tokens';

/**
 * Extends the log's tree and signs checkpoints in the background (LEDGER_RUN_CHECKPOINTS), into
 * the witness folder and the database. Several processes may run it: the tree's lock makes one
 * extend and sign at a time.
 */
@Injectable()
export class CheckpointHost implements OnApplicationBootstrap, OnModuleDestroy {
  readonly checkpointer: Checkpointer;
  readonly witness: FolderWitness;

  constructor(
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    tree: LogTree,
    signer: CheckpointSigner,
  ) {
    const logger = new Logger('Checkpoints');
    this.witness = new FolderWitness(config.witnessDir);
    this.checkpointer = new Checkpointer(tree, signer, this.witness, {
      everyEvents: config.checkpointEveryEvents,
      intervalMs: config.checkpointIntervalMs,
      log: (msg, fields) => logger.log({ msg, ...fields }),
    });
  }

  onApplicationBootstrap(): void {
    if (this.config.runCheckpoints) this.checkpointer.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.checkpointer.stop();
  }
}
