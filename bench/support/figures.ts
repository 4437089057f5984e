/**
 * What every benchmark returns, so that a runner of all benchmarks (bench/all) can collect the
 * figures of several into one markdown table.
 */
export interface BenchFigure {
  /** Human-readable name, unique within one benchmark, e.g. "append 1 event, 16 writers". */
  figure: string;
  value: number;
  /** e.g. "events/s", "ms", "%". */
  unit: string;
}

/** A plain-text table with aligned columns; the first row is the header. */
export function textTable(
  rows: readonly (readonly string[])[],
  rightAligned: readonly number[] = [],
): string {
  const widths: number[] = [];
  for (const row of rows)
    row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, i) =>
        rightAligned.includes(i) ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  if (!header) return '';
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** Figures as a markdown table (for bench/all and for pasting into issues). */
export function markdownTable(figures: readonly BenchFigure[]): string {
  return [
    '| figure | value | unit |',
    '| --- | ---: | --- |',
    ...figures.map((f) => `| ${f.figure} | ${formatNumber(f.value)} | ${f.unit} |`),
  ].join('\n');
}

export function formatNumber(value: number, fractionDigits?: number): string {
  const digits = fractionDigits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
