import type { RawBodyRequest } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from './api-error';
import { toErrorResponse } from './error-mapping';

/** No request body of the API nests deeper than a few levels; validation recurses per level. */
export const MAX_BODY_DEPTH = 32;

/**
 * Keys that the validation pipe drops without a word (class-transformer skips them and the
 * members of Object.prototype) instead of refusing them as unknown fields.
 */
const isReservedKey = (key: string): boolean => key === 'prototype' || key in Object.prototype;

/** Methods whose requests may carry a body; each body must be JSON. */
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The media type of a Content-Type header, without parameters, in lower case. */
const mediaType = (header: string | undefined): string | undefined =>
  header?.split(';')[0]?.trim().toLowerCase() || undefined;

/**
 * A request that carries a body must say it is JSON (`Content-Type: application/json`): 415
 * otherwise, before anything reads it. Without this, a body the JSON parser skips (text/plain,
 * a form, no Content-Type) reached the validation as an empty one: a 400 listing every field.
 */
export function jsonContentType(request: Request, _response: Response, next: NextFunction): void {
  if (!BODY_METHODS.has(request.method)) return next();
  const length = request.headers['content-length'];
  const hasBody =
    request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
  if (!hasBody || mediaType(request.headers['content-type']) === 'application/json') return next();
  const message = 'must be application/json: the API reads JSON bodies only';
  next(
    new ApiError(415, 'unsupported-media-type', `Content-Type: ${message}`, {
      errors: [{ field: 'Content-Type', message }],
    }),
  );
}

/**
 * Refuses query parameters named after members of Object.prototype (`__proto__`, `toString`,
 * `constructor`, …): the validation would drop them without a word, where every other unknown
 * parameter is refused.
 */
export function queryGuard(request: Request, _response: Response, next: NextFunction): void {
  const query: unknown = request.query;
  if (typeof query !== 'object' || query === null) return next();
  const reserved = Object.keys(query).find(isReservedKey);
  if (reserved === undefined) return next();
  next(
    new ApiError(400, 'validation-failed', `${reserved}: ${reserved} should not exist`, {
      errors: [{ field: reserved, message: `${reserved} should not exist` }],
    }),
  );
}

/**
 * The first key that appears twice in one object of a JSON text, with its path (`boards[0].boardId`),
 * or undefined. `JSON.parse` keeps the last of them silently; two values for one field is a
 * mistake or a trick (a checker reads one, the ledger the other), so it is refused. The text
 * must be valid JSON (it is read after JSON.parse accepted it). Iterative: any depth.
 */
export function duplicateKey(text: string): string | undefined {
  interface Frame {
    path: string;
    keys: Set<string> | undefined; // undefined: an array
    index: number;
    key: string | undefined;
  }
  const stack: Frame[] = [];
  const childPath = (frame: Frame | undefined): string => {
    if (!frame) return '';
    if (frame.keys === undefined) return `${frame.path}[${frame.index}]`;
    return frame.path ? `${frame.path}.${frame.key ?? ''}` : (frame.key ?? '');
  };
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{' || c === '[') {
      const top = stack[stack.length - 1];
      stack.push({
        path: childPath(top),
        keys: c === '{' ? new Set() : undefined,
        index: 0,
        key: undefined,
      });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
      expectKey = false;
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys === undefined) {
        if (top) top.index += 1;
      } else {
        expectKey = true;
      }
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        top.key = key;
        if (top.keys.has(key)) return childPath(top) || '(body)';
        top.keys.add(key);
        expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * Refuses a parsed JSON body nested deeper than MAX_BODY_DEPTH (the validation pipe would run
 * out of stack: a 500), holding a reserved key such as `__proto__` or `constructor` (which
 * would otherwise be dropped silently rather than refused as an unknown field), or a key twice
 * in one object (duplicateKey). Iterative, so that it cannot run out of stack itself.
 */
export function jsonBodyGuard(request: Request, _response: Response, next: NextFunction): void {
  const body: unknown = request.body;
  if (typeof body !== 'object' || body === null) return next();
  const pending: { value: object; path: string; depth: number }[] = [
    { value: body, path: '', depth: 1 },
  ];
  for (let item = pending.pop(); item !== undefined; item = pending.pop()) {
    if (item.depth > MAX_BODY_DEPTH) {
      const message = `must not nest deeper than ${MAX_BODY_DEPTH} levels`;
      return next(
        new ApiError(400, 'validation-failed', `(body): ${message}`, {
          errors: [{ field: '(body)', message }],
        }),
      );
    }
    const isArray = Array.isArray(item.value);
    for (const [key, child] of Object.entries(item.value)) {
      const path = isArray ? `${item.path}[${key}]` : item.path ? `${item.path}.${key}` : key;
      if (!isArray && isReservedKey(key)) {
        return next(
          new ApiError(400, 'validation-failed', `${path}: ${key} should not exist`, {
            errors: [{ field: path, message: `${key} should not exist` }],
          }),
        );
      }
      if (typeof child === 'object' && child !== null) {
        pending.push({ value: child as object, path, depth: item.depth + 1 });
      }
    }
  }
  const raw = (request as RawBodyRequest<Request>).rawBody; // kept by Nest (rawBody: true)
  const duplicate = raw === undefined ? undefined : duplicateKey(raw.toString('utf8'));
  if (duplicate !== undefined) {
    const message = 'appears twice in one object: send each field once';
    return next(
      new ApiError(400, 'validation-failed', `${duplicate}: ${message}`, {
        errors: [{ field: duplicate, message }],
      }),
    );
  }
  next();
}

/**
 * The body parser's errors (malformed JSON, too large, unsupported charset or encoding) in the
 * one error shape. Without this, Nest turns a JSON syntax error into a plain 400 whose message
 * quotes the body back.
 */
export function bodyParserErrors(
  error: unknown,
  _request: Request,
  _response: Response,
  next: NextFunction,
): void {
  const type = (error as { type?: unknown } | null)?.type;
  if (error instanceof ApiError || typeof type !== 'string') return next(error);
  const { body } = toErrorResponse(error);
  next(body.statusCode < 500 ? new ApiError(body.statusCode, body.code, body.message) : error);
}
