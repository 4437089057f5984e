import { CLOUDEVENTS_CONTENT_TYPE, type LedgerCloudEvent } from './cloud-event';
import { DeliveryError, type FeedTransport } from './feed-transport';
import { signWebhook } from './webhook-signature';

export interface WebhookTransportOptions {
  url: string;
  /** One secret, or two while rotating: each signs every delivery. */
  secrets: readonly string[];
  /** How long a delivery may take before it counts as unavailable. */
  timeoutMs: number;
}

/** Statuses that say "not now" rather than "not this": the feed waits and tries again. */
const UNAVAILABLE = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/**
 * Signed webhooks: each event is POSTed alone, in CloudEvents structured mode, signed (see
 * webhook-signature.ts). Any 2xx answer is a delivery; 408, 429, 5xx, a timeout or a network
 * error mean the receiver is unavailable; any other answer (3xx, 4xx) refuses the event.
 */
export class WebhookTransport implements FeedTransport {
  readonly name = 'webhook';

  constructor(private readonly options: WebhookTransportOptions) {}

  async open(): Promise<void> {}

  async send(event: LedgerCloudEvent): Promise<void> {
    const body = JSON.stringify(event);
    let response: Response;
    try {
      response = await fetch(this.options.url, {
        method: 'POST',
        headers: {
          'content-type': CLOUDEVENTS_CONTENT_TYPE,
          ...signWebhook(this.options.secrets, event.id, body),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      throw new DeliveryError('unavailable', `webhook: ${cause ?? (error as Error).message}`);
    }
    // The answer's body is not needed; reading it frees the connection.
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok) return;
    throw new DeliveryError(
      UNAVAILABLE(response.status) ? 'unavailable' : 'refused',
      `webhook: HTTP ${response.status}`,
    );
  }

  async close(): Promise<void> {}
}
