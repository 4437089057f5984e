import request from 'supertest';
import type { Response } from 'supertest';
import { bearer, startTestApp, type TestApp } from '../../../test/support/test-app';

/**
 * Request budgets: one per API key across every endpoint, one for failed authentications per
 * address (key guessing stops there), and one per address for the routes that need no key.
 * Each answers 429 with the standard Retry-After, and counted answers carry RateLimit headers.
 */

const LEARNER = 'throttled-learner';

/** What a 429 must carry: the standard Retry-After (whole seconds within the minute window). */
function expectRetryAfter(res: Response): void {
  expect(res.status).toBe(429);
  expect(res.headers['retry-after']).toMatch(/^\d+$/);
  const seconds = Number(res.headers['retry-after']);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  // The non-standard suffixed form of before is gone.
  expect(Object.keys(res.headers).filter((h) => h.startsWith('retry-after-'))).toEqual([]);
}

describe('one budget per API key across all endpoints', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await startTestApp('throttle_key', { rateLimitPerMinute: 6 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('counts every endpoint against the one budget, with RateLimit headers, then answers 429 with Retry-After on any endpoint', async () => {
    const calls = [
      () =>
        http()
          .post(`/v1/learners/${LEARNER}/questions-researched`)
          .set(bearer('service'))
          .send({ researchId: 'r1', occurredAt: '2026-11-01T10:00:00Z' }),
      () => http().get(`/v1/learners/${LEARNER}/credits`).set(bearer('service')),
      () => http().get(`/v1/learners/${LEARNER}/claims`).set(bearer('service')),
    ];
    const remaining: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await calls[i % 3]!();
      expect(res.status).toBeLessThan(300);
      expect(res.headers['ratelimit-limit']).toBe('6');
      expect(res.headers['ratelimit-policy']).toBe('6;w=60');
      expect(Number(res.headers['ratelimit-reset'])).toBeGreaterThanOrEqual(1);
      remaining.push(String(res.headers['ratelimit-remaining']));
    }
    expect(remaining).toEqual(['5', '4', '3', '2', '1', '0']);
    for (const call of calls) {
      const res = await call();
      expectRetryAfter(res);
      expect(res.body.code).toBe('rate-limited');
      expect(res.headers['ratelimit-remaining']).toBe('0');
    }
    // Another key has its own budget.
    const other = await http().get(`/v1/learners/${LEARNER}/credits`).set(bearer('compliance'));
    expect(other.status).toBe(200);
    expect(other.headers['ratelimit-remaining']).toBe('5');
  });
});

describe('failed authentications per address', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await startTestApp('throttle_auth', { authFailuresPerMinute: 5 });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('refuses the address with 429 past the budget, even with a valid key, while /health still answers', async () => {
    const credits = `/v1/learners/${LEARNER}/credits`;
    // A valid key before: no failure counted.
    await http().get(credits).set(bearer('service')).expect(200);
    const guesses = [
      { Authorization: 'Bearer guess-0000000000001' },
      {},
      { Authorization: 'Basic abc' },
      { Authorization: 'Bearer guess-0000000000002' },
      { Authorization: 'Bearer guess-0000000000003' },
    ];
    for (const headers of guesses) {
      const res = await http().get(credits).set(headers);
      expect(res.status).toBe(401);
    }
    const sixth = await http().get(credits).set({ Authorization: 'Bearer guess-0000000000004' });
    expectRetryAfter(sixth);
    expect(sixth.body.code).toBe('authentication-throttled');
    expect(sixth.body.message).toMatch(/failed authentications from this address/);
    // A right guess now gets nothing more than a wrong one.
    for (const role of ['service', 'admin'] as const) {
      const res = await http().get(credits).set(bearer(role));
      expectRetryAfter(res);
      expect(res.body.code).toBe('authentication-throttled');
    }
    await http().get('/health').expect(200);
  });
});

describe('the routes that need no key have a per-address budget of their own', () => {
  let t: TestApp;
  const http = () => request(t.app.getHttpServer());
  beforeAll(async () => {
    t = await startTestApp('throttle_public', {
      publicRateLimitPerMinute: 3,
      rateLimitPerMinute: 2,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 to /health past its budget, without a word about keys, and leaves the keys their own budget', async () => {
    // A key's budget spent first: /health is not in it.
    for (let i = 0; i < 2; i++) {
      await http().get(`/v1/learners/${LEARNER}/credits`).set(bearer('service')).expect(200);
    }
    expectRetryAfter(await http().get(`/v1/learners/${LEARNER}/credits`).set(bearer('service')));
    for (let i = 0; i < 3; i++) {
      const res = await http().get('/health');
      expect(res.status).toBe(200);
      expect(res.headers['ratelimit-limit']).toBe('3');
    }
    const over = await http().get('/health');
    expectRetryAfter(over);
    expect(over.body.code).toBe('rate-limited');
    expect(over.body.message).toMatch(/from this address/);
    expect(over.body.message).not.toMatch(/key/i);
    // Another key still passes: the address's /health budget is not a key's.
    await http().get(`/v1/learners/${LEARNER}/credits`).set(bearer('compliance')).expect(200);
  });
});
