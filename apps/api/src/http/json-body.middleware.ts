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

/**
 * Refuses a parsed JSON body nested deeper than MAX_BODY_DEPTH (the validation pipe would run
 * out of stack: a 500) or holding a reserved key such as `__proto__` or `constructor` (which
 * would otherwise be dropped silently rather than refused as an unknown field). Iterative, so
 * that it cannot run out of stack itself.
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
