import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { HttpBoardGateway } from '@ledger/boards';
import type { BoardSubmissionEvent, LearnerEvent } from '@ledger/domain';
import { EVENT_STORE, type EventStore } from '@ledger/event-store';
import {
  BoardSubmissionProcess,
  BOARD_SUBMISSION_EVENT_CODEC,
  DECISION_SETTINGS,
  LEARNER_EVENT_CODEC,
  LEDGER_CLOCK,
  StreamCommandExecutor,
  type Clock,
  type DecisionSettings,
  type EventCodec,
} from '@ledger/ledger';
import { acceptedUnconfirmedSubmissions } from '@ledger/read-models';
import type { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { LedgerConfig } from '../config';
import { DATABASE_POOL, LEDGER_CONFIG, READ_MODELS } from '../tokens';

/**
 * Runs the board submission process inside the API process when a board gateway is configured
 * (BOARD_GATEWAY_URL, or the local simulator `npm start` runs) and LEDGER_RUN_BOARD_PROCESS is
 * on. A separate worker may run it as well: one instance holds the lease at a time.
 */
@Injectable()
export class BoardProcessHost implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('BoardSubmissionProcess');
  readonly process: BoardSubmissionProcess | undefined;

  constructor(
    @Inject(LEDGER_CONFIG) config: LedgerConfig,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(READ_MODELS) readModels: DataSource,
    executor: StreamCommandExecutor,
    @Inject(LEARNER_EVENT_CODEC) learnerCodec: EventCodec<LearnerEvent>,
    @Inject(BOARD_SUBMISSION_EVENT_CODEC) submissionCodec: EventCodec<BoardSubmissionEvent>,
    @Inject(LEDGER_CLOCK) clock: Clock,
    @Inject(DECISION_SETTINGS) settings: DecisionSettings,
  ) {
    this.process =
      config.runBoardProcess && config.boardGatewayUrl
        ? new BoardSubmissionProcess(
            store,
            pool,
            executor,
            learnerCodec,
            submissionCodec,
            new HttpBoardGateway({
              baseUrl: config.boardGatewayUrl,
              maxAttempts: config.boardGatewayMaxAttempts,
            }),
            clock,
            settings,
            {
              acceptedSubmissions: () => acceptedUnconfirmedSubmissions(readModels),
              sweepIntervalMs: config.boardSweepIntervalMs,
              log: (msg, fields) => this.logger.log({ msg, ...fields }),
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
