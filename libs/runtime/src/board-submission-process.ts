import { ParsBoardGateway } from '@ledger/boards';
import type { EventStore } from '@ledger/event-store';
import {
  BoardSubmissionEffectHandler,
  BoardSubmissionProcess,
  LearnerMatchEffectHandler,
  LearnerMatchProcess,
  type BoardSubmissionEffectHandlerOptions,
} from '@ledger/ledger';
import { acceptedUnconfirmedSubmissions, unfinishedCorrections } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import type { LedgerConfig } from './config';

/** The processes that talk to the boards, as a process runs them. */
export interface BoardProcesses {
  /** R8/R9: claims reported, followed up, confirmed. */
  submission: BoardSubmissionProcess;
  /** R16: a profile's identity checked with the board before any claim. */
  match: LearnerMatchProcess;
  start(): void;
  stop(): Promise<void>;
}

/**
 * The board submission and learner match processes as the API and the worker run them, or
 * undefined when this process is not to run them (LEDGER_RUN_BOARD_PROCESS off, or no board
 * gateway configured): PARS as the board gateway, one client for both, the sweep on the
 * configured interval, their commands sent through the caller's CommandBus (`send`).
 */
export function configuredBoardProcesses(
  config: Pick<
    LedgerConfig,
    | 'runBoardProcess'
    | 'boardGatewayUrl'
    | 'parsProviderId'
    | 'parsApiKey'
    | 'boardGatewayMaxAttempts'
    | 'boardSweepIntervalMs'
  >,
  readModels: DataSource,
  store: EventStore,
  effects: Omit<BoardSubmissionEffectHandlerOptions, 'gateway'>,
  matchLog?: (message: string, fields?: Record<string, unknown>) => void,
): BoardProcesses | undefined {
  if (!config.runBoardProcess || !config.boardGatewayUrl) return undefined;
  const gateway = new ParsBoardGateway({
    baseUrl: config.boardGatewayUrl,
    providerId: config.parsProviderId,
    ...(config.parsApiKey === undefined ? {} : { apiKey: config.parsApiKey }),
    maxAttempts: config.boardGatewayMaxAttempts,
  });
  const submission = new BoardSubmissionProcess(
    readModels,
    store,
    new BoardSubmissionEffectHandler({ ...effects, gateway }),
    {
      acceptedSubmissions: () => acceptedUnconfirmedSubmissions(readModels),
      unfinishedCorrections: () => unfinishedCorrections(readModels),
      sweepIntervalMs: config.boardSweepIntervalMs,
      ...(effects.log ? { log: effects.log } : {}),
    },
  );
  const log = matchLog ?? effects.log;
  const match = new LearnerMatchProcess(
    readModels,
    store,
    new LearnerMatchEffectHandler({
      streams: effects.streams,
      learnerCodec: effects.learnerCodec,
      gateway,
      send: effects.send,
      clock: effects.clock,
      ...(log ? { log } : {}),
    }),
    log ? { log } : {},
  );
  return {
    submission,
    match,
    start: () => {
      submission.start();
      match.start();
    },
    stop: async () => {
      await Promise.all([submission.stop(), match.stop()]);
    },
  };
}
