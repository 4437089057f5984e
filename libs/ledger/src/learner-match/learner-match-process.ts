import {
  LEARNER_MATCH_PROCESS,
  reactToLearnerMatch,
  type LearnerMatchTrigger,
} from '@ledger/domain';
import type { EventStore, RecordedEvent } from '@ledger/event-store';
import type { DataSource } from 'typeorm';
import { CheckpointedProcess, type CheckpointedProcessOptions } from '../checkpointed-process';
import type { LearnerMatchEffectHandler } from './learner-match-effect-handler';

export type LearnerMatchProcessOptions = CheckpointedProcessOptions;

/**
 * The learner match process (R16), a checkpointed processor: its host holds the lease (one
 * instance at a time) and follows the log from its row in `process_checkpoints`. Each profile
 * event is a trigger of the pure reactor (`reactToLearnerMatch`): the selected boards are asked
 * through the gateway port, and each answer is recorded in the learner's stream through the
 * CommandBus with an id derived from the profile event, so a redelivered event records nothing
 * twice. A board out of reach fails the batch: the checkpoint stays, and the host starts over
 * after a backoff; an outage is never recorded as a mismatch.
 */
export class LearnerMatchProcess extends CheckpointedProcess<LearnerMatchTrigger> {
  constructor(
    dataSource: DataSource,
    store: EventStore,
    private readonly effects: LearnerMatchEffectHandler,
    options: LearnerMatchProcessOptions = {},
  ) {
    super(LEARNER_MATCH_PROCESS, dataSource, store, options);
  }

  protected triggerOf(recorded: RecordedEvent): Promise<LearnerMatchTrigger | undefined> {
    return this.effects.triggerOf(recorded);
  }

  protected async react(trigger: LearnerMatchTrigger): Promise<void> {
    const learnerId =
      trigger.type === 'ProfileUpdated' ? trigger.learnerId : trigger.call.learnerId;
    const learner = await this.effects.learner(learnerId);
    for (const reaction of reactToLearnerMatch(trigger, learner, this.effects.context())) {
      const answer = await this.effects.perform(reaction);
      if (answer) await this.react(answer);
    }
  }
}
