import { ParsBoardGateway } from '@ledger/boards';
import type { EventStore } from '@ledger/event-store';
import {
  BoardSubmissionEffectHandler,
  BoardSubmissionProcess,
  type BoardSubmissionEffectHandlerOptions,
} from '@ledger/ledger';
import { acceptedUnconfirmedSubmissions, unfinishedCorrections } from '@ledger/read-models';
import type { DataSource } from 'typeorm';
import type { LedgerConfig } from './config';

/**
 * The board submission process as the API and the worker run it, or undefined when this
 * process is not to run it (LEDGER_RUN_BOARD_PROCESS off, or no board gateway configured):
 * PARS as the board gateway, the sweep on the configured interval, its commands sent through
 * the caller's CommandBus (`send`).
 */
export function configuredBoardSubmissionProcess(
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
): BoardSubmissionProcess | undefined {
  if (!config.runBoardProcess || !config.boardGatewayUrl) return undefined;
  const gateway = new ParsBoardGateway({
    baseUrl: config.boardGatewayUrl,
    providerId: config.parsProviderId,
    ...(config.parsApiKey === undefined ? {} : { apiKey: config.parsApiKey }),
    maxAttempts: config.boardGatewayMaxAttempts,
  });
  return new BoardSubmissionProcess(
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
}
