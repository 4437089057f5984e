import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, as the Standard Webhooks specification has them: HMAC-SHA256, keyed with
 * the secret's bytes, over `<webhook-id>.<webhook-timestamp>.<body>`; the timestamp (Unix
 * seconds) and the signature travel in headers. A receiver that checks the signature and that
 * the timestamp is recent knows the body came from the ledger, unaltered, and is not an old
 * delivery played again. This file depends on Node's crypto only: a consumer may copy it.
 */

export const WEBHOOK_ID_HEADER = 'webhook-id';
export const WEBHOOK_TIMESTAMP_HEADER = 'webhook-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'webhook-signature';

const SECRET_PREFIX = 'whsec_';

/** The key a secret stands for: `whsec_` then base64 of 24 to 64 random bytes. */
export function webhookKey(secret: string): Buffer {
  if (!secret.startsWith(SECRET_PREFIX))
    throw new Error('a webhook secret starts with "whsec_" (then base64 of 24 to 64 random bytes)');
  const key = Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  if (key.length < 24 || key.length > 64)
    throw new Error('a webhook secret holds 24 to 64 bytes after "whsec_", base64-encoded');
  return key;
}

const signature = (key: Buffer, id: string, timestamp: string, body: string): Buffer =>
  createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest();

/**
 * The headers of a delivery: one `v1,<base64>` signature per secret (two while a secret is
 * rotated: receivers holding either accept it).
 */
export function signWebhook(
  secrets: readonly string[],
  id: string,
  body: string,
  now: Date = new Date(),
): Record<string, string> {
  const timestamp = Math.floor(now.getTime() / 1000).toString();
  return {
    [WEBHOOK_ID_HEADER]: id,
    [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
    [WEBHOOK_SIGNATURE_HEADER]: secrets
      .map((s) => `v1,${signature(webhookKey(s), id, timestamp, body).toString('base64')}`)
      .join(' '),
  };
}

export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
}

export type HeaderBag = Headers | Record<string, string | string[] | undefined>;

const header = (headers: HeaderBag, name: string): string | undefined => {
  if (typeof (headers as Headers).get === 'function')
    return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value[0] : value;
};

export interface VerifyWebhookOptions {
  /** How far the timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * Checks a delivery as it arrived (the body exactly as received, before any JSON parsing) and
 * answers its parsed body; throws `WebhookVerificationError` for a missing header, a timestamp
 * too old or too far ahead, or a body or header that no secret signed.
 */
export function verifyWebhook<T = unknown>(
  body: string | Buffer,
  headers: HeaderBag,
  secrets: string | readonly string[],
  options: VerifyWebhookOptions = {},
): T {
  const id = header(headers, WEBHOOK_ID_HEADER);
  const timestamp = header(headers, WEBHOOK_TIMESTAMP_HEADER);
  const signatures = header(headers, WEBHOOK_SIGNATURE_HEADER);
  if (!id || !timestamp || !signatures)
    throw new WebhookVerificationError(
      `missing ${WEBHOOK_ID_HEADER}, ${WEBHOOK_TIMESTAMP_HEADER} or ${WEBHOOK_SIGNATURE_HEADER}`,
    );
  if (!/^\d{1,12}$/.test(timestamp))
    throw new WebhookVerificationError(`${WEBHOOK_TIMESTAMP_HEADER} is not Unix seconds`);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300))
    throw new WebhookVerificationError(`${WEBHOOK_TIMESTAMP_HEADER} is outside the tolerance`);
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const offered = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'));
  const keys = (typeof secrets === 'string' ? [secrets] : secrets).map(webhookKey);
  const signed = keys.some((key) => {
    const expected = signature(key, id, timestamp, text);
    return offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected));
  });
  if (!signed) throw new WebhookVerificationError('no valid signature for this body');
  const parsed = JSON.parse(text) as T;
  const bodyId = (parsed as { id?: unknown } | null)?.id;
  if (bodyId !== undefined && bodyId !== id)
    throw new WebhookVerificationError(`the body's id is not the ${WEBHOOK_ID_HEADER}`);
  return parsed;
}
