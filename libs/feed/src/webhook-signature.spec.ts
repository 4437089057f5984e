import { randomBytes } from 'node:crypto';
import {
  signWebhook,
  verifyWebhook,
  webhookKey,
  WebhookVerificationError,
} from './webhook-signature';

const secret = (): string => `whsec_${randomBytes(32).toString('base64')}`;
const NOW = new Date('2026-12-01T12:00:00Z');
const ID = '6f1c2f0e-3a4b-4c5d-8e9f-0a1b2c3d4e5f';
const body = JSON.stringify({ specversion: '1.0', id: ID, type: 'cme.ledger.CreditClaimed.v1' });

describe('webhook signatures (HMAC-SHA256 over id.timestamp.body)', () => {
  const s = secret();

  it('accepts a delivery signed with the secret, and answers its parsed body', () => {
    const headers = signWebhook([s], ID, body, NOW);
    expect(verifyWebhook(body, headers, s, { now: NOW })).toEqual(JSON.parse(body));
  });

  it('refuses a tampered body: one character changed', () => {
    const headers = signWebhook([s], ID, body, NOW);
    const tampered = body.replace('CreditClaimed', 'CreditClaimeD');
    expect(() => verifyWebhook(tampered, headers, s, { now: NOW })).toThrow(
      WebhookVerificationError,
    );
  });

  it('refuses a delivery signed with another secret', () => {
    const headers = signWebhook([secret()], ID, body, NOW);
    expect(() => verifyWebhook(body, headers, s, { now: NOW })).toThrow(
      'no valid signature for this body',
    );
  });

  it('refuses a timestamp changed after signing, and an old delivery played again', () => {
    const headers = signWebhook([s], ID, body, NOW);
    const moved = {
      ...headers,
      'webhook-timestamp': String(Number(headers['webhook-timestamp']) + 1),
    };
    expect(() => verifyWebhook(body, moved, s, { now: NOW })).toThrow('no valid signature');
    const later = new Date(NOW.getTime() + 301_000);
    expect(() => verifyWebhook(body, headers, s, { now: later })).toThrow('outside the tolerance');
  });

  it('refuses a body whose id is not the signed webhook-id', () => {
    const other = JSON.stringify({ id: 'another' });
    const headers = signWebhook([s], ID, other, NOW);
    expect(() => verifyWebhook(other, headers, s, { now: NOW })).toThrow("the body's id");
  });

  it('refuses a delivery without its headers', () => {
    expect(() => verifyWebhook(body, {}, s, { now: NOW })).toThrow('missing webhook-id');
  });

  it('while a secret rotates, a delivery signed with both passes with either', () => {
    const next = secret();
    const headers = signWebhook([s, next], ID, body, NOW);
    expect(headers['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifyWebhook(body, headers, next, { now: NOW })).toEqual(JSON.parse(body));
    expect(verifyWebhook(Buffer.from(body), new Headers(headers), s, { now: NOW })).toEqual(
      JSON.parse(body),
    );
  });

  it('refuses a secret that is not whsec_ and 24 to 64 bytes', () => {
    expect(() => webhookKey('plain-text-secret')).toThrow('starts with "whsec_"');
    expect(() => webhookKey(`whsec_${randomBytes(8).toString('base64')}`)).toThrow('24 to 64');
  });
});
