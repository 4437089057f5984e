/**
 * What is wrong with an error answer, judged against the API's one error shape
 * `{ statusCode, code, message, rule?, errors?: [{ field, message }], correlationId }`;
 * an empty list when it conforms.
 */
export function errorShapeProblems(status: number, contentType: unknown, text: string): string[] {
  if (typeof contentType !== 'string' || !contentType.startsWith('application/json')) {
    return [`content-type is ${String(contentType)}, not application/json`];
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return ['the body is not JSON'];
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return ['the body is not an object'];
  }
  const b = body as Record<string, unknown>;
  const problems: string[] = [];
  if (b.statusCode !== status) problems.push(`statusCode ${String(b.statusCode)} ≠ ${status}`);
  if (typeof b.code !== 'string' || !/^[a-z0-9]+(-[a-z0-9]+)*$/.test(b.code)) {
    problems.push(`code ${JSON.stringify(b.code)} is not kebab-case`);
  }
  if (typeof b.message !== 'string' || b.message.trim() === '') {
    problems.push('message is not a non-empty string');
  }
  if (typeof b.correlationId !== 'string' || b.correlationId === '') {
    problems.push('no correlationId');
  }
  if (b.rule !== undefined && (typeof b.rule !== 'string' || !/^R\d+$/.test(b.rule))) {
    problems.push(`rule ${JSON.stringify(b.rule)} is not a rule name`);
  }
  if (b.errors !== undefined) {
    const fieldErrors = b.errors;
    const wellFormed =
      Array.isArray(fieldErrors) &&
      fieldErrors.every(
        (e: unknown) =>
          typeof e === 'object' &&
          e !== null &&
          typeof (e as { field?: unknown }).field === 'string' &&
          typeof (e as { message?: unknown }).message === 'string' &&
          Object.keys(e).every((k) => k === 'field' || k === 'message'),
      );
    if (!wellFormed) problems.push('errors is not an array of { field, message }');
  }
  const allowed = ['statusCode', 'code', 'message', 'rule', 'errors', 'correlationId', 'position'];
  const unknown = Object.keys(b).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) problems.push(`unexpected keys ${unknown.join(', ')}`);
  return problems;
}
