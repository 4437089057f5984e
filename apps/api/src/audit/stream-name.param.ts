import { Param, type PipeTransform } from '@nestjs/common';
import { ApiError } from '../http/api-error';

const STREAM = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/;
const RULE = 'must be 1 to 200 letters, digits, . _ : or - (starting with a letter or digit)';

class StreamNamePipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!STREAM.test(value)) {
      throw new ApiError(400, 'validation-failed', `streamName: ${RULE}`, {
        errors: [{ field: 'streamName', message: RULE }],
      });
    }
    return value;
  }
}

/** The stream name of the path, e.g. `learner-6f1c…` or `board-submission-<uuid>`. */
export const StreamNameParam = (): ParameterDecorator => Param('streamName', new StreamNamePipe());
