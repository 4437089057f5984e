import { Param, type PipeTransform } from '@nestjs/common';
import { ApiError } from './api-error';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class PatternPipe implements PipeTransform<string, string> {
  constructor(
    private readonly name: string,
    private readonly pattern: RegExp,
    private readonly rule: string,
  ) {}

  transform(value: string): string {
    if (!this.pattern.test(value)) {
      throw new ApiError(400, 'validation-failed', `${this.name}: ${this.rule}`, {
        errors: [{ field: this.name, message: this.rule }],
      });
    }
    return value;
  }
}

/** The learner id of the path: 1–64 letters, digits, _ or -, starting with a letter or digit. */
export const LearnerIdParam = (): ParameterDecorator =>
  Param(
    'learnerId',
    new PatternPipe(
      'learnerId',
      ID,
      'must be 1 to 64 letters, digits, _ or - (starting with a letter or digit)',
    ),
  );

export const UuidParam = (name: string): ParameterDecorator =>
  Param(name, new PatternPipe(name, UUID, 'must be a UUID'));
