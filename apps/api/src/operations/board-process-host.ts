import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { HttpBoardGateway } from '@ledger/boards';
import type { BoardSubmissionEvent, LearnerEvent } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import {
  BoardSubmissionEffectHandler,
  BoardSubmissionProcess,
  BOARD_SUBMISSION_EVENT_CODEC,
  LEARNER_EVENT_CODEC,
  LEDGER_CLOCK,
  StreamCommandExecutor,
  type Clock,
  type EventCodec,
} from '@ledger/ledger';
import { acceptedUnconfirmedSubmissions } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import type { LedgerConfig } from '../config';
import { LEDGER_CONFIG, READ_MODELS } from '../tokens';

/**
 * Runs the board submission process inside the API process when a board gateway is configured
 * (BOARD_GATEWAY_URL, or the local simulator `npm start` runs) and LEDGER_RUN_BOARD_PROCESS is
 * on. A separate worker may run it as well: one instance holds the lease at a time. Its
 * commands go through the CommandBus, like every other write of the API.
 */
@Injectable()
export class BoardProcessHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BoardSubmissionProcess');
  readonly process: BoardSubmissionProcess | undefined;

  constructor(
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(READ_MODELS) readModels: DataSource,
    commandBus: CommandBus,
    streams: StreamCommandExecutor,
    @Inject(LEARNER_EVENT_CODEC) learnerCodec: EventCodec<LearnerEvent>,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC) submissionCodec: EventCodec<BoardSubmissionEvent>,
    @Inject(LEDGER_CLOCK) clock: Clock,
  ) {
    const log = (msg: string, fields?: Record<string, unknown>): void =>
      this.logger.log({ msg, ...fields });
    this.process =
      config.runBoardProcess && config.boardGatewayUrl
        ? new BoardSubmissionProcess(
            readModels,
            store,
            new BoardSubmissionEffectHandler({
              streams,
              learnerCodec,
              submissionCodec,
              gateway: new HttpBoardGateway({
                baseUrl: config.boardGatewayUrl,
                maxAttempts: config.boardGatewayMaxAttempts,
              }),
              send: (command) => commandBus.execute(command),
              clock,
              log,
            }),
            {
              acceptedSubmissions: () => acceptedUnconfirmedSubmissions(readModels),
              sweepIntervalMs: config.boardSweepIntervalMs,
              log,
            },
          )
        : undefined;
  }

  onApplicationBootstrap(): void {
    this.process?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.process?.stop();
  }
}
