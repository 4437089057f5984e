import { HttpException } from '@nestjs/common';

export interface FieldError {
  field: string;
  message: string;
}

/** The one error shape of the API. */
export interface ErrorBody {
  statusCode: number;
  /** Machine-readable, kebab-case: `validation-failed`, `claim-window-closed`, … */
  code: string;
  message: string;
  /** The domain rule a refusal enforces (R1–R17). */
  rule?: string;
  /** Each offending field, for validation failures. */
  errors?: FieldError[];
  correlationId?: string;
  /** For 503 read-model-behind: the position the read models are at. */
  position?: string;
  /** For 503 read-model-behind: why they are not further (a held append, a stopped projection). */
  reason?: string;
}

export class ApiError extends HttpException {
  constructor(
    status: number,
    readonly code: string,
    message: string,
    readonly extra: { rule?: string; errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message, status);
  }
}
