import { describeError } from './describe-error';

describe('describeError: what a process prints when it stops on an error', () => {
  it("gives an Error's message, and its code when the message does not say it", () => {
    const refused = Object.assign(new Error('connect refused 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    expect(describeError(refused)).toBe('connect refused 127.0.0.1:5432 (ECONNREFUSED)');
    const named = Object.assign(new Error('listen EADDRINUSE: address already in use'), {
      code: 'EADDRINUSE',
    });
    expect(describeError(named)).toBe('listen EADDRINUSE: address already in use');
  });

  it('names the reasons inside an AggregateError, whose own message is empty', () => {
    const both = new AggregateError(
      [
        Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }),
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
      ],
      '',
    );
    expect(describeError(both)).toBe(
      'AggregateError: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432',
    );
  });

  it('follows the cause', () => {
    const error = new Error('backup failed', { cause: new Error('disk full') });
    expect(describeError(error)).toBe('backup failed, caused by disk full');
  });

  it('never answers "undefined" or an empty line for something thrown without a description', () => {
    for (const thrown of [undefined, null, new Error(''), { reason: 'odd' }, 'plain']) {
      const said = describeError(thrown);
      expect(said.trim()).not.toBe('');
      expect(said).not.toBe('undefined');
    }
    expect(describeError(undefined)).toMatch(/without a description/);
    expect(describeError(new Error(''))).toBe('Error');
    expect(describeError({ reason: 'odd' })).toBe('{"reason":"odd"}');
  });
});
