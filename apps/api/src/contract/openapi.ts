import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type {
  OperationObject,
  ResponseObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ErrorResponse } from '../http/error-response.dto';

/** The name of the security scheme every non-public operation requires. */
export const API_KEY_SCHEME = 'bearer';

/**
 * Answers that middleware, guards and the exception filter give on any operation, whatever its
 * controller declares: they come from the pipeline every request goes through, so they are
 * documented here, once. Each carries the one error shape.
 */
const PIPELINE_ANSWERS: Record<
  string,
  { description: string; on: 'all' | 'secured' | 'body' | 'idempotent' }
> = {
  '400': {
    description:
      'Invalid input (path, query, header or body): `errors` names each offending field; nothing was recorded',
    on: 'all',
  },
  '401': {
    description: 'No API key where one is needed, or an unknown one (refused on public routes too)',
    on: 'all',
  },
  '403': { description: "The key's role may not call this operation", on: 'secured' },
  '413': { description: 'The body is larger than 64 kB', on: 'body' },
  '415': { description: 'The body is not JSON (Content-Type application/json)', on: 'body' },
  '422': {
    description:
      'The Idempotency-Key was used before with a different request (POST and PUT): nothing was recorded',
    on: 'idempotent',
  },
  '429': {
    description:
      'Too many requests for this key (or, without one, this address): retry after `Retry-After` seconds',
    on: 'all',
  },
  '500': {
    description: 'An unexpected fault: the body says nothing of it but its correlationId',
    on: 'all',
  },
  '503': {
    description:
      'The event store or the database did not answer, or a read model is not yet at minPosition: nothing was decided; retry after `Retry-After` seconds',
    on: 'all',
  },
};

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'] as const;

/** The OpenAPI document of the API, as the application's decorators declare it. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CME credit ledger')
      .setDescription(
        'Event-sourced ledger of continuing medical education credits: commands for internal services, ' +
          'projections for compliance, history and proofs for auditors. Every 4xx and 5xx answer has ' +
          'the one error shape `ErrorResponse`.',
      )
      .setVersion('1')
      .addServer('/', 'The ledger that serves this document')
      .addServer('http://127.0.0.1:3000', 'A ledger started with `npm start` on this machine')
      .addBearerAuth(
        {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'opaque API key',
          description:
            'An opaque API key (not a JWT), configured in LEDGER_API_KEYS; its role (service, compliance, auditor, admin) decides what it may call',
        },
        API_KEY_SCHEME,
      )
      .build(),
    { extraModels: [ErrorResponse] },
  );
  document.info.license = { name: 'UNLICENSED: internal use only' };
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (operation) addPipelineAnswers(operation, method === 'post' || method === 'put');
    }
  }
  return document;
}

/**
 * Each error answer gets the error shape; each operation the answers of the pipeline. An
 * operation that declares no security is public: it says so (`security: []`).
 */
function addPipelineAnswers(operation: OperationObject, idempotent: boolean): void {
  const secured = (operation.security ?? []).length > 0;
  if (!secured) operation.security = [];
  for (const [status, answer] of Object.entries(PIPELINE_ANSWERS)) {
    if (answer.on === 'secured' && !secured) continue;
    if (answer.on === 'body' && !operation.requestBody) continue;
    if (answer.on === 'idempotent' && !idempotent) continue;
    operation.responses[status] ??= { description: answer.description };
  }
  for (const [status, response] of Object.entries(operation.responses)) {
    if (Number(status) < 400 || !response || '$ref' in response) continue;
    const answer = response as ResponseObject;
    // An answer that declares its own body keeps it (GET /health's 503 is a health report).
    if (answer.content) continue;
    answer.content = {
      'application/json': { schema: { $ref: getSchemaPath(ErrorResponse) } },
    };
  }
  operation.responses = Object.fromEntries(
    Object.entries(operation.responses).sort(([a], [b]) => a.localeCompare(b)),
  );
}
