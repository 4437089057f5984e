import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Checks every answer the API gives in the end-to-end tests against the OpenAPI document
 * (libs/client/openapi.json, the contract the client is generated from; npm test checks it is
 * the one the code declares): the status must be documented for the operation, the content
 * type declared, and a JSON body valid against its schema. Objects are read closed: a property
 * the document does not name is a violation, so a field added to an answer without documenting
 * it fails the tests that receive it.
 */

const DOCUMENT_FILE = join(__dirname, '..', '..', 'libs', 'client', 'openapi.json');
const DOCUMENT_ID = 'ledger-openapi';
/** Not operations of the API: Swagger's own routes, and the web console's files and session. */
const UNCHECKED = /^\/(docs|console)(\/|$)/;
/** Bodies past this size are not kept (an export of a large log): their status is still checked. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface Operation {
  method: string;
  template: string;
  pattern: RegExp;
  literalSegments: number;
  responses: Record<string, { content?: Record<string, unknown> }>;
}

export interface ContractViolation {
  request: string;
  status: number;
  problem: string;
}

/** OpenAPI 3.0's `nullable` as JSON Schema (anyOf null), and objects closed to unnamed properties. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === 'example' || key === 'examples' ? value : toJsonSchema(value);
  }
  if (
    out.properties &&
    typeof out.properties === 'object' &&
    out.additionalProperties === undefined
  ) {
    out.additionalProperties = false;
  }
  if (out.nullable === true) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const pointer = (...parts: string[]): string =>
  parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

class ContractChecker {
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(document: JsonObject) {
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addFormat('binary', true);
    this.ajv.addSchema({ ...(toJsonSchema(document) as JsonObject), $id: DOCUMENT_ID });
    const paths = document.paths as Record<string, Record<string, JsonObject>>;
    for (const [template, item] of Object.entries(paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const segments = template.split('/').filter(Boolean);
        this.operations.push({
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(
            '^' +
              segments
                .map(
                  (s) =>
                    '/' + (/^\{.+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
                )
                .join('') +
              '/?$',
          ),
          literalSegments: segments.filter((s) => !s.startsWith('{')).length,
          responses: operation.responses as Operation['responses'],
        });
      }
    }
    this.operations.sort((a, b) => b.literalSegments - a.literalSegments);
  }

  /** What is wrong with one answer (nothing: []). */
  check(
    method: string,
    url: string,
    status: number,
    contentType: string | undefined,
    body: Buffer | undefined,
  ): string[] {
    const path = url.split('?')[0] ?? '';
    if (UNCHECKED.test(path)) return [];
    const operation = this.operations.find((o) => o.method === method && o.pattern.test(path));
    if (!operation) {
      // No such route (or a method it does not have): still the one error shape.
      return status >= 400
        ? this.checkBody('#/components/schemas/ErrorResponse', contentType, body)
        : [`${status} on a route the document does not have`];
    }
    const code = String(status);
    const declared =
      operation.responses[code] ??
      operation.responses[`${code[0]}XX`] ??
      operation.responses.default;
    if (!declared)
      return [`status ${status} is not documented for ${operation.method} ${operation.template}`];
    const media = contentType?.split(';')[0]?.trim().toLowerCase();
    if (method === 'HEAD' || !body || body.length === 0 || status === 204 || status === 304)
      return [];
    const content = declared.content ?? {};
    if (!media || !(media in content)) {
      return [
        `content type ${media ?? 'none'} is not documented for ${status} (documented: ${Object.keys(content).join(', ') || 'no body'})`,
      ];
    }
    if (media !== 'application/json') return [];
    const schemaRef =
      '#' +
      pointer(
        '',
        'paths',
        operation.template,
        operation.method.toLowerCase(),
        'responses',
        code in operation.responses ? code : `${code[0]}XX`,
        'content',
        media,
        'schema',
      );
    return this.checkBody(schemaRef, contentType, body);
  }

  private checkBody(
    ref: string,
    contentType: string | undefined,
    body: Buffer | undefined,
  ): string[] {
    if (!body || body.length === 0) return [];
    if (!contentType?.startsWith('application/json'))
      return [`content type ${contentType ?? 'none'} where JSON was documented`];
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return ['the body is not JSON'];
    }
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `${DOCUMENT_ID}${ref}` });
      this.validators.set(ref, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? `: ${String(e.params.additionalProperty)}` : ''}`,
    );
  }
}

let checker: ContractChecker | undefined;
const contract = (): ContractChecker =>
  (checker ??= new ContractChecker(JSON.parse(readFileSync(DOCUMENT_FILE, 'utf8')) as JsonObject));

/**
 * Watches every answer the server sends and checks it against the contract. `violations()`
 * lists what failed; `assertClean()` throws naming each (the test app's close() calls it).
 */
export function watchContract(server: Server): {
  violations: () => ContractViolation[];
  assertClean: () => void;
} {
  const found: ContractViolation[] = [];
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    // Never in the way of the answer: what cannot be kept is not checked.
    let unreadable = false;
    const keep = (chunk: unknown, encoding?: unknown): void => {
      if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
      try {
        const buffer =
          chunk instanceof Uint8Array
            ? Buffer.from(chunk)
            : Buffer.from(
                String(chunk),
                typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8',
              );
        size += buffer.length;
        if (size <= MAX_BODY_BYTES) chunks.push(buffer);
      } catch {
        unreadable = true;
      }
    };
    const write = res.write.bind(res) as (...args: unknown[]) => boolean;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.write = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return write(...args);
    }) as typeof res.write;
    res.end = ((...args: unknown[]) => {
      keep(args[0], args[1]);
      return end(...args);
    }) as typeof res.end;
    // A content type given to writeHead() is not kept where getHeader() looks.
    let headContentType: string | undefined;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      const headers = args.find((a) => typeof a === 'object' && a !== null) as
        Record<string, unknown> | undefined;
      const type = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'content-type');
      if (type) headContentType = String(type[1]);
      return writeHead(...args);
    }) as typeof res.writeHead;
    res.once('finish', () => {
      // Express's mounted middleware (app.use('/console', …)) leaves req.url without its prefix.
      const url = (req as { originalUrl?: string }).originalUrl ?? req.url;
      const request = `${req.method ?? '?'} ${url ?? '?'}`;
      const contentType = res.getHeader('content-type') ?? headContentType;
      let problems: string[];
      try {
        problems = contract().check(
          req.method ?? '',
          url ?? '',
          res.statusCode,
          typeof contentType === 'string' ? contentType : undefined,
          size <= MAX_BODY_BYTES && !unreadable ? Buffer.concat(chunks) : undefined,
        );
      } catch (error) {
        problems = [
          `could not be checked: ${error instanceof Error ? error.message : String(error)}`,
        ];
      }
      for (const problem of problems) found.push({ request, status: res.statusCode, problem });
    });
  });
  return {
    violations: () => found.slice(),
    assertClean() {
      if (found.length === 0) return;
      const lines = found.slice(0, 30).map((v) => `  ${v.request} → ${v.status}: ${v.problem}`);
      throw new Error(
        `${found.length} answer(s) broke the OpenAPI contract (libs/client/openapi.json):\n${lines.join('\n')}`,
      );
    },
  };
}
