import {
  connect,
  headers,
  nanos,
  StorageType,
  type JetStreamClient,
  type NatsConnection,
} from 'nats';
import { CLOUDEVENTS_CONTENT_TYPE, type LedgerCloudEvent } from './cloud-event';
import { DeliveryError, type FeedTransport } from './feed-transport';

export interface NatsTransportOptions {
  /** Comma-separated `host:port` (or `nats://…`) of the NATS servers. */
  servers: string;
  /** The JetStream stream the feed publishes to; created (file storage) when missing. */
  stream: string;
  /** Subjects are `<prefix>.<stream kind>.<event type>`, e.g. `cme.ledger.learner.CreditClaimed`. */
  subjectPrefix: string;
  /** The stream's duplicate window, when the feed creates it: how long the broker drops a re-sent id. */
  duplicateWindowMs: number;
  /** How long to wait for the broker's acknowledgement of one publish. */
  publishTimeoutMs: number;
}

/** `learner`, `board-submission`, or `other`: the subject token of a stream's kind. */
export function streamKind(streamName: string): string {
  if (streamName.startsWith('learner-')) return 'learner';
  if (streamName.startsWith('board-submission-')) return 'board-submission';
  return 'other';
}

/**
 * NATS JetStream: each event is published with `Nats-Msg-Id` = its id, so that the broker drops
 * one sent again within the stream's duplicate window (after a restart of the feed, a lost
 * acknowledgement), and the feed moves on only once the broker has acknowledged it (stored).
 * Every failure counts as `unavailable`: the broker takes any event it can store.
 */
export class NatsTransport implements FeedTransport {
  readonly name = 'nats';
  private connection: NatsConnection | undefined;
  private jetstream: JetStreamClient | undefined;

  constructor(private readonly options: NatsTransportOptions) {}

  subjectOf(event: LedgerCloudEvent): string {
    const type = event.type.split('.')[2] ?? 'unknown';
    return `${this.options.subjectPrefix}.${streamKind(event.subject)}.${type}`;
  }

  async open(): Promise<void> {
    if (this.connection && !this.connection.isClosed()) return;
    let connection: NatsConnection;
    try {
      connection = await connect({
        servers: this.options.servers.split(',').map((s) => s.trim()),
        name: 'cme-ledger-feed',
        reconnect: true,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      });
    } catch (error) {
      throw new DeliveryError(
        'unavailable',
        `nats: cannot connect to ${this.options.servers}: ${(error as Error).message}`,
      );
    }
    try {
      const manager = await connection.jetstreamManager();
      await manager.streams.info(this.options.stream).catch(async (error: Error) => {
        if (!/stream not found/i.test(error.message)) throw error;
        await manager.streams.add({
          name: this.options.stream,
          subjects: [`${this.options.subjectPrefix}.>`],
          storage: StorageType.File,
          duplicate_window: nanos(this.options.duplicateWindowMs),
        });
      });
    } catch (error) {
      await connection.close().catch(() => undefined);
      throw new DeliveryError(
        'unavailable',
        `nats: JetStream stream ${this.options.stream}: ${(error as Error).message}`,
      );
    }
    this.connection = connection;
    this.jetstream = connection.jetstream();
  }

  async send(event: LedgerCloudEvent): Promise<void> {
    const jetstream = this.jetstream;
    if (!jetstream) throw new DeliveryError('unavailable', 'nats: not connected');
    const h = headers();
    h.set('content-type', CLOUDEVENTS_CONTENT_TYPE);
    try {
      await jetstream.publish(
        this.subjectOf(event),
        new TextEncoder().encode(JSON.stringify(event)),
        {
          msgID: event.id,
          headers: h,
          timeout: this.options.publishTimeoutMs,
        },
      );
    } catch (error) {
      throw new DeliveryError('unavailable', `nats: ${(error as Error).message}`);
    }
  }

  async close(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.jetstream = undefined;
    await connection?.close().catch(() => undefined);
  }
}
