import { CommandBus } from '@nestjs/cqrs';
import type { INestApplication } from '@nestjs/common';
import type { BoardSubmissionCommand, RequestBoardSubmission } from '@ledger/domain';
import { boardSubmissionId } from '@ledger/domain';
import { boardSubmissionStep, type BoardSubmissionCommandOutcome } from '@ledger/ledger';
import request from 'supertest';
import { bearer } from '../../../test/support/test-app';
import { consentGrantedBody, profileFields } from '@ledger/domain/testing';

/** Shared by the audit and erasure end-to-end tests. */

export const PROFILE = profileFields({
  firstName: 'Zelphine',
  lastName: 'Quarrington',
  boards: [{ boardId: 'ABIM', learnerBoardId: '918273' }],
  licenses: [{ state: 'CA', licenseNumber: 'ZQ-77345' }],
});

/** Strings that identify the person of PROFILE: none may appear in clear anywhere. */
export const PERSONAL_STRINGS = ['Zelphine', 'Quarrington', '918273', 'ZQ-77345', '1234567893'];

/** Opaque values (ciphertext, hashes, ids, positions) in which a short string may occur by chance. */
const OPAQUE =
  /"(personalEncrypted|hash|id|eventId|position|upToPosition|afterPosition|nextAfter|lastEventId|causationId|correlationId|digest)":"[^"]*"/g;

/** Which of `strings` stand in clear in an answer or an export (JSON or NDJSON). */
export const foundInClear = (text: string, strings: readonly string[]): string[] => {
  const clear = text.replace(OPAQUE, '');
  return strings.filter((s) => clear.includes(s));
};

/** The personal strings of PROFILE found in clear in an answer or an export (JSON or NDJSON). */
export const personalDataIn = (text: string): string[] => foundInClear(text, PERSONAL_STRINGS);

/** The fields of a credits answer that the live query and the as-of replay must agree on. */
export const balancesOf = (body: Record<string, unknown>) => ({
  activities: body.activities,
  mocPoints: body.mocPoints,
  nonUsEquivalents: body.nonUsEquivalents,
});

export async function* linesOf(text: string): AsyncGenerator<string> {
  for (const line of text.split('\n')) yield line;
}

/** The learner commands over HTTP, as the learning platform sends them. */
export function learnerApi(app: INestApplication) {
  const http = () => request(app.getHttpServer());
  return {
    http,
    profile: (id: string, body: object = PROFILE) =>
      http().put(`/v1/learners/${id}/profile`).set(bearer('service')).send(body),
    /** R7: consent to share completion data with the boards of the profile. */
    consent: (id: string, body: object = consentGrantedBody()) =>
      http().put(`/v1/learners/${id}/consent`).set(bearer('service')).send(body),
    research: (id: string, researchId: string, occurredAt = '2026-11-01T10:00:00Z') =>
      http()
        .post(`/v1/learners/${id}/questions-researched`)
        .set(bearer('service'))
        .send({ researchId, occurredAt }),
    answer: (id: string, questionId: string, correct = true, occurredAt = '2026-11-01T10:00:00Z') =>
      http()
        .post(`/v1/learners/${id}/answers`)
        .set(bearer('service'))
        .send({ questionId, correct, occurredAt }),
    claim: (id: string, activity: string, occurredAt = '2026-11-02T10:00:00Z') =>
      http()
        .post(`/v1/learners/${id}/claims`)
        .set(bearer('service'))
        .send({ activity, occurredAt }),
  };
}

/**
 * What the board submission process would record for one claim and board: requested, then the
 * board's answer (accepted, or failed), and possibly its confirmation. Sent through the command
 * bus, so they are ordinary commands of the ledger.
 */
export async function submitToBoard(
  app: INestApplication,
  claim: {
    learnerId: string;
    claimId: string;
    board: string;
    activity: RequestBoardSubmission['data']['activity'];
    twelfths: bigint;
    claimedAt: Date;
  },
  outcome: 'accepted' | 'confirmed' | 'failed',
): Promise<bigint | undefined> {
  const bus = app.get(CommandBus);
  const submissionId = boardSubmissionId(claim.claimId, claim.board);
  const metadata = (step: string) => ({
    actor: 'process:board-submission',
    correlationId: claim.claimId,
    commandId: `${submissionId}/${step}`,
  });
  const at = new Date(claim.claimedAt.getTime() + 60_000);
  const send = (
    step: string,
    command: BoardSubmissionCommand,
  ): Promise<BoardSubmissionCommandOutcome> =>
    bus.execute(boardSubmissionStep(submissionId, command, metadata(step)));
  let last = await send('request', {
    type: 'RequestBoardSubmission',
    data: { ...claim, submissionId, occurredAt: at },
  });
  if (outcome === 'failed') {
    last = await send('fail', {
      type: 'RecordSubmissionFailed',
      data: { reason: 'the board does not know this learner id', retryable: true, occurredAt: at },
    });
    return last.position;
  }
  last = await send('accept', { type: 'RecordSubmissionAccepted', data: { occurredAt: at } });
  if (outcome === 'confirmed') {
    last = await send('confirm', { type: 'ConfirmBoardRecord', data: { occurredAt: at } });
  }
  return last.position;
}
