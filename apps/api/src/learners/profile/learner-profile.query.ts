import { Inject } from '@nestjs/common';
import { Query, QueryHandler } from '@nestjs/cqrs';
import {
  boardIdentityStatus,
  learnerDecider,
  learnerStreamName,
  type LearnerEvent,
  type LearnerState,
} from '@ledger/domain';
import { LEARNER_EVENT_CODEC, StreamCommandExecutor, type EventCodec } from '@ledger/ledger';
import { ApiError } from '../../http/api-error';
import type { LearnerProfileResponse } from './learner-profile.response';

/** R7/R16: the learner's profile as its stream has it now: boards, their identity checks, consent. */
export class LearnerProfileQuery extends Query<LearnerProfileResponse> {
  constructor(readonly learnerId: string) {
    super();
  }
}

/**
 * Reads the learner's own stream (the source of truth, as the certificate does): the profile is
 * one fold of one stream, and its identity checks and consent are rules of the domain
 * (`boardIdentityStatus`), so no read model repeats them.
 */
@QueryHandler(LearnerProfileQuery)
export class LearnerProfileHandler {
  constructor(
    private readonly executor: StreamCommandExecutor,
    @Inject(LEARNER_EVENT_CODEC) private readonly codec: EventCodec<LearnerEvent>,
  ) {}

  async execute({ learnerId }: LearnerProfileQuery): Promise<LearnerProfileResponse> {
    const { state } = await this.executor.state(
      learnerStreamName(learnerId),
      learnerDecider,
      this.codec,
    );
    return profileView(learnerId, state);
  }
}

export function profileView(learnerId: string, state: LearnerState): LearnerProfileResponse {
  const { profile, consent } = state;
  if (profile === undefined)
    throw new ApiError(404, 'not-found', `learner ${learnerId} has no CME profile`);
  return {
    learnerId,
    profileVersion: profile.version,
    clinicalRole: profile.clinicalRole,
    country: profile.country,
    boards: profile.boards.map((boardId) => {
      const check = boardIdentityStatus(state, boardId);
      return {
        boardId,
        identity: {
          status: check.status,
          ...(check.status === 'verified' ? {} : { reason: check.reason }),
          ...(check.status === 'not-checked' ? {} : { checkedAt: check.checkedAt.toISOString() }),
        },
      };
    }),
    consent:
      consent === undefined
        ? { status: 'not-given' }
        : {
            status: consent.status,
            at: consent.at.toISOString(),
            ...(consent.bySelection ? { bySelection: true } : {}),
          },
    personalDataErased: state.personalDataErased,
  };
}
