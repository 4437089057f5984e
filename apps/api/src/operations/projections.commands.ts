import { Inject, Logger } from '@nestjs/common';
import { Command, CommandHandler } from '@nestjs/cqrs';
import type { CommandMetadata } from '@ledger/ledger';
import { allProjections, requestRebuild } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { ApiError } from '../http/api-error';
import { READ_MODELS } from '../tokens';

const NAMES = allProjections().map((p) => p.name);

/**
 * Rebuild a projection from position zero into a new generation: a request in
 * `projection_state` that the runner holding the projection's lease picks up.
 */
export class RebuildProjectionCommand extends Command<void> {
  constructor(
    readonly projection: string,
    readonly metadata: CommandMetadata,
  ) {
    super();
  }
}

@CommandHandler(RebuildProjectionCommand)
export class RebuildProjectionHandler {
  private readonly logger = new Logger('Admin');

  constructor(@Inject(READ_MODELS) private readonly readModels: DataSource) {}

  async execute({ projection, metadata }: RebuildProjectionCommand): Promise<void> {
    if (!NAMES.includes(projection)) {
      throw new ApiError(
        404,
        'not-found',
        `no projection ${projection}; projections: ${NAMES.join(', ')}`,
      );
    }
    await requestRebuild(this.readModels, projection);
    this.logger.log({
      msg: 'projection rebuild requested',
      projection,
      actor: metadata.actor,
      correlationId: metadata.correlationId,
    });
  }
}
