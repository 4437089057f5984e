import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import type { BoardSubmissionEvent, LearnerEvent } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import {
  BoardSubmissionProcess,
  BOARD_SUBMISSION_EVENT_CODEC,
  LEARNER_EVENT_CODEC,
  LEDGER_CLOCK,
  StreamCommandExecutor,
  type Clock,
  type EventCodec,
} from '@ledger/ledger';
import { ProjectionWorker } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import { configuredBoardSubmissionProcess, type LedgerConfig } from '@ledger/runtime';
import { LEDGER_CONFIG, READ_MODELS } from '../tokens';

/** Where a runner's log lines go: Nest's logger, under the runner's name. */
const logTo =
  (logger: Logger) =>
  (msg: string, fields?: Record<string, unknown>): void =>
    logger.log({ msg, ...fields });

/**
 * Runs the ledger's background work inside the API process: the projections when
 * LEDGER_RUN_PROJECTIONS is on (the default, so that `npm start` is complete on its own), and
 * the board submission process when a board gateway is configured (BOARD_GATEWAY_URL, or the
 * local simulator `npm start` runs) and LEDGER_RUN_BOARD_PROCESS is on. A separate worker may
 * run either as well: each is applied only by the process holding its lease. The board
 * process's commands go through the CommandBus, like every other write of the API.
 */
@Injectable()
export class BackgroundHost implements OnApplicationBootstrap, OnModuleDestroy {
  readonly projections: ProjectionWorker | undefined;
  readonly boardProcess: BoardSubmissionProcess | undefined;

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
    this.projections = config.runProjections
      ? new ProjectionWorker(readModels, store, {
          retryMs: 250,
          log: logTo(new Logger('Projections')),
        })
      : undefined;
    this.boardProcess = configuredBoardSubmissionProcess(config, readModels, store, {
      streams,
      learnerCodec,
      submissionCodec,
      send: (command) => commandBus.execute(command),
      clock,
      log: logTo(new Logger('BoardSubmissionProcess')),
    });
  }

  onApplicationBootstrap(): void {
    this.projections?.start();
    this.boardProcess?.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.boardProcess?.stop();
    await this.projections?.stop();
  }
}
