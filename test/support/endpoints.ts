import type { INestApplication, Type } from '@nestjs/common';
import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import request from 'supertest';
import { ALLOWED_ROLES, PUBLIC_ROUTE } from '../../apps/api/src/auth/allow.decorator';
import type { Role } from '../../apps/api/src/auth/api-keys';

/** The parts of an OpenAPI 3 document the tests read. */
export interface OpenApiSchema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  description?: string;
  example?: unknown;
  items?: OpenApiSchema;
  properties?: Record<string, OpenApiSchema>;
  required?: string[];
}

export interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  description?: string;
  schema?: OpenApiSchema;
}

export interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { content?: Record<string, { schema?: OpenApiSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, OpenApiSchema> };
}

/** `GET`, `POST`, …, or another name of Nest's RequestMethod (`ALL`, `HEAD`: no test knows those). */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | (string & {});

/** One route the application serves, as its decorators declare it. */
export interface Endpoint {
  method: HttpMethod;
  /** In OpenAPI form: `/v1/learners/{learnerId}/profile`. */
  path: string;
  /** `GET /v1/learners/{learnerId}/credits`. */
  key: string;
  public: boolean;
  /** The roles `@Allow` lets through (empty for public routes). */
  roles: Role[];
  /** The class of the `@Body()` argument, when the handler takes one. */
  bodyType: Type | undefined;
  operation: OpenApiOperation;
}

type Route = Omit<Endpoint, 'key' | 'operation'>;

const segmentsOf = (path: unknown): string[] =>
  (Array.isArray(path) ? path : [path])
    .filter((p): p is string => typeof p === 'string')
    .flatMap((p) => p.split('/'))
    .filter(Boolean);

/**
 * Every route of every controller the application registered, read from Nest's own metadata
 * (paths, methods, `@Allow`/`@Public`, the `@Body()` type), whatever module it comes from.
 */
export function servedRoutes(app: INestApplication): Route[] {
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type | null;
      if (!controller) continue;
      const base = segmentsOf(Reflect.getMetadata(PATH_METADATA, controller));
      for (const name of scanner.getAllMethodNames(controller.prototype)) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function') continue;
        const own = Reflect.getMetadata(PATH_METADATA, handler) as unknown;
        const verb = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (own === undefined || verb === undefined) continue;
        // Named as in Nest's enum: a route on ALL or HEAD shows up (and matches no OpenAPI operation).
        const method: HttpMethod = RequestMethod[verb];
        const path =
          '/' +
          [...base, ...segmentsOf(own)]
            .map((s) => (s.startsWith(':') ? `{${s.slice(1)}}` : s))
            .join('/');
        const targets = [handler, controller];
        const isPublic = reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) === true;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<
          string,
          { index: number }
        >;
        const paramTypes = (Reflect.getMetadata('design:paramtypes', controller.prototype, name) ??
          []) as Type[];
        const bodyArg = Object.entries(args).find(
          ([k]) => k.split(':')[0] === String(RouteParamtypes.BODY),
        );
        routes.push({
          method,
          path,
          public: isPublic,
          roles: isPublic
            ? []
            : (reflector.getAllAndOverride<Role[]>(ALLOWED_ROLES, targets) ?? []).slice(),
          bodyType: bodyArg ? paramTypes[bodyArg[1].index] : undefined,
        });
      }
    }
  }
  return routes;
}

/** The OpenAPI document the application serves (to any API key: here the development admin's). */
export async function openApiDocument(app: INestApplication): Promise<OpenApiDocument> {
  const res = await request(app.getHttpServer())
    .get('/docs/openapi.json')
    .set('Authorization', 'Bearer dev-admin-key')
    .expect(200);
  return res.body as OpenApiDocument;
}

/** `METHOD path` of every operation of an OpenAPI document. */
export const documentedKeys = (doc: OpenApiDocument): string[] =>
  Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );

/**
 * The endpoints of the application: its routes (from Nest's metadata) joined with their
 * OpenAPI operations. `undocumented` and `unserved` list what the two disagree on; the tests
 * assert both are empty, so that no route escapes them.
 */
export async function discoverEndpoints(app: INestApplication): Promise<{
  endpoints: Endpoint[];
  document: OpenApiDocument;
  undocumented: string[];
  unserved: string[];
}> {
  const document = await openApiDocument(app);
  const routes = servedRoutes(app);
  const endpoints: Endpoint[] = routes.map((r) => ({
    ...r,
    key: `${r.method} ${r.path}`,
    operation: document.paths[r.path]?.[r.method.toLowerCase()] ?? {},
  }));
  const served = new Set(endpoints.map((e) => e.key));
  const documented = documentedKeys(document);
  return {
    endpoints: endpoints.sort((a, b) => a.key.localeCompare(b.key)),
    document,
    undocumented: [...served].filter((k) => !documented.includes(k)).sort(),
    unserved: documented.filter((k) => !served.has(k)).sort(),
  };
}

/** Resolves `#/components/schemas/…` references. */
export function resolveSchema(doc: OpenApiDocument, schema: OpenApiSchema): OpenApiSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const found = doc.components?.schemas?.[name];
  if (!found) throw new Error(`OpenAPI document has no schema ${name}`);
  return resolveSchema(doc, found);
}

/** The path parameters of an endpoint, in order. */
export const pathParameters = (endpoint: Endpoint): string[] =>
  [...endpoint.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');

/** The endpoint's path with each `{param}` replaced by the (already URL-encoded) segment given. */
export const fillPath = (endpoint: Endpoint, segments: Record<string, string>): string =>
  endpoint.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const segment = segments[name];
    if (segment === undefined) throw new Error(`no value for {${name}} of ${endpoint.key}`);
    return segment;
  });
