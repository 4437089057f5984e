import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError, type FieldError } from './api-error';

/** Whitelisted DTOs: unknown fields are refused, and every offending field is named. */
export function ledgerValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      return new ApiError(
        400,
        'validation-failed',
        fields.length
          ? fields.map((f) => `${f.field}: ${f.message}`).join('; ')
          : 'the request body is not valid',
        { errors: fields },
      );
    },
  });
}

function flatten(errors: readonly ValidationError[], prefix = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const field = /^\d+$/.test(e.property)
      ? `${prefix}[${e.property}]`
      : prefix
        ? `${prefix}.${e.property}`
        : e.property;
    for (const message of Object.values(e.constraints ?? {})) {
      out.push({ field: field || '(body)', message: message.replace(/^property /, '') });
    }
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}
