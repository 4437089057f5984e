/**
 * What went wrong, in words, for a process's last word on stderr: never `undefined` nor an
 * empty line. An Error's message (with its code when it has one); the reasons inside an
 * AggregateError (a connection tried on two addresses, both refused); what the cause says;
 * and, for something thrown that is not an Error, what it is.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    let said = error.message?.trim() || error.name;
    if (typeof code === 'string' && !said.includes(code)) said += ` (${code})`;
    if (error instanceof AggregateError && error.errors.length > 0) {
      said += `: ${error.errors.map(describeError).join('; ')}`;
    }
    if (error.cause !== undefined) said += `, caused by ${describeError(error.cause)}`;
    return said;
  }
  if (error === undefined || error === null) {
    return `an error without a description (${String(error)} was thrown): rerun with NODE_DEBUG to see where`;
  }
  if (typeof error === 'object') {
    try {
      return JSON.stringify(error);
    } catch {
      return Object.prototype.toString.call(error);
    }
  }
  return String(error);
}
