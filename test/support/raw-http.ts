import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

export interface RawRequest {
  method: string;
  /** Sent as is: no normalisation of `..` or of percent-encoding (unlike URL-based clients). */
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/**
 * An HTTP client for hostile requests: the path goes on the wire exactly as given and the body
 * as raw bytes with whatever content type the caller sets.
 */
export class RawHttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private constructor(private readonly port: number) {}

  /** Listens on an ephemeral port of 127.0.0.1. */
  static async listen(app: INestApplication): Promise<RawHttpClient> {
    await app.listen(0, '127.0.0.1');
    const address = (app.getHttpServer() as http.Server).address() as AddressInfo;
    return new RawHttpClient(address.port);
  }

  send({ method, path, headers = {}, body }: RawRequest): Promise<RawResponse> {
    return new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (body !== undefined) req.setHeader('Content-Length', Buffer.byteLength(body));
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Percent-encodes every byte of the UTF-8 form except unreserved characters (RFC 3986). */
export function encodeSegment(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
