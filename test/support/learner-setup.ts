import type { INestApplication } from '@nestjs/common';
import { consentGrantedBody } from '@ledger/domain/testing';
import request from 'supertest';
import { bearer } from './test-app';

/**
 * A learner's CME profile through the API and, when it selects a board, the learner's consent to
 * share completion data with it (R7): what every test whose claims are to reach a board does.
 */
export async function profileWithConsent(
  app: INestApplication,
  learnerId: string,
  profile: { boards?: readonly unknown[] } & Record<string, unknown>,
): Promise<void> {
  await request(app.getHttpServer())
    .put(`/v1/learners/${learnerId}/profile`)
    .set(bearer('service'))
    .send(profile)
    .expect(200);
  if ((profile.boards ?? []).length === 0) return;
  await request(app.getHttpServer())
    .put(`/v1/learners/${learnerId}/consent`)
    .set(bearer('service'))
    .send(consentGrantedBody())
    .expect(200);
}
