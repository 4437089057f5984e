import { Inject, Logger } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { learnerDecider, type ErasePersonalData } from '@ledger/domain';
import {
  LearnerUseCase,
  LearnerUseCaseHandler,
  type LearnerCommandOutcome,
} from '../learner/learner-commands';
import { PersonalDataCipher } from './personal-data-cipher';

/** An administrator erases a learner's personal data, under a ticket of the request. */
export class ErasePersonalDataCommand extends LearnerUseCase<ErasePersonalData> {
  readonly type = 'ErasePersonalData' as const;
}

/** Nothing was ever recorded for the learner an erasure names. */
export class LearnerNotFoundError extends Error {
  override readonly name = 'LearnerNotFoundError';
}

/**
 * Crypto-shredding: records that the learner's personal data was erased (an event, so the
 * history says who erased it and when), then destroys the learner's key, so the personal data
 * encrypted in earlier events can no longer be read by anyone. The credit history, its totals
 * and its hash chain stay as they were.
 */
@CommandHandler(ErasePersonalDataCommand)
export class ErasePersonalDataHandler extends LearnerUseCaseHandler {
  private readonly logger = new Logger('Erasure');
  @Inject(PersonalDataCipher) private readonly cipher!: PersonalDataCipher;

  override async execute(command: ErasePersonalDataCommand): Promise<LearnerCommandOutcome> {
    const { learnerId, metadata } = command;
    const streamName = this.streamName(learnerId);
    const { revision } = await this.executor.state(streamName, learnerDecider, this.codec);
    if (revision === undefined) {
      throw new LearnerNotFoundError(`nothing was ever recorded for learner ${learnerId}`);
    }
    // The event first, then the key: if destroying the key fails, a retry records nothing new
    // and destroys it; a profile update racing the erasure is shredded with it.
    const outcome = await super.execute(command);
    await this.cipher.erase(learnerId);
    this.executor.forget(streamName);
    this.logger.log({
      msg: 'personal data erased',
      learnerId,
      actor: metadata.actor,
      correlationId: metadata.correlationId,
      recorded: outcome.events.map((e) => e.type),
    });
    return outcome;
  }
}
