import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LedgerCloudEvent } from '../cloud-event';
import { verifyWebhook } from '../webhook-signature';

export interface Received {
  event: LedgerCloudEvent;
  body: string;
}

/**
 * A consumer's webhook endpoint on a port of its own: it checks each delivery's signature
 * (refusing what fails with 401), then answers as `answer` says: 200 keeps the event.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  /** Deliveries refused for a bad signature. */
  readonly forged: string[] = [];
  answer: (event: LedgerCloudEvent) => number = () => 200;
  /**
   * Once this many events are received, answers wait until release() (a consumer that stalls
   * with a delivery in hand): undefined, none waits.
   */
  holdAfter: number | undefined;
  private held: (() => void)[] = [];
  private server: Server | undefined;
  private port = 0;

  constructor(private readonly secret: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/ledger-events`;
  }

  /** Listens (again, on the same port after a stop). */
  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let event: LedgerCloudEvent;
        try {
          event = verifyWebhook<LedgerCloudEvent>(body, req.headers, this.secret);
        } catch (error) {
          this.forged.push((error as Error).message);
          res.writeHead(401).end();
          return;
        }
        const status = this.answer(event);
        if (status >= 200 && status < 300) this.received.push({ event, body });
        const reply = (): void => void res.writeHead(status).end();
        if (this.holdAfter !== undefined && this.received.length >= this.holdAfter)
          this.held.push(reply);
        else reply();
      });
    });
    server.keepAliveTimeout = 1;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Answers the deliveries held, and holds none from now on. */
  release(): void {
    this.holdAfter = undefined;
    for (const reply of this.held.splice(0)) reply();
  }

  /** Stops listening: deliveries meet a refused connection. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
