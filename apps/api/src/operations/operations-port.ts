import { createServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';

const OPERATIONS = Symbol.for('cme-ledger/operations-port');
/** What the operations port serves: health (with details), metrics and the OpenAPI docs. */
const OPERATIONS_PATH = /^\/(health|metrics|docs)(\/[^?]*)?(\?.*)?$/;

type Marked = IncomingMessage & { [OPERATIONS]?: true };

/** True when the request came in through the operations port, not the API's own. */
export const viaOperationsPort = (request: IncomingMessage): boolean =>
  (request as Marked)[OPERATIONS] === true;

/**
 * The operations port (LEDGER_OPERATIONS_PORT): a second listener of the same application, meant
 * for an internal interface, that answers health with its details, metrics and the OpenAPI
 * docs without an API key, and 404 to anything else. On the API's own port, metrics and docs
 * need a key and health says only whether the service is up.
 */
export function listenOperations(
  app: RequestListener,
  port: number,
  host: string,
): Promise<Server> {
  const server = createServer((request, response) => {
    (request as Marked)[OPERATIONS] = true;
    if (!OPERATIONS_PATH.test(request.url ?? '')) {
      response.statusCode = 404;
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.end(
        JSON.stringify({
          statusCode: 404,
          code: 'not-found',
          message: 'the operations port serves /health, /metrics and /docs only',
        }),
      );
      return;
    }
    app(request, response);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
