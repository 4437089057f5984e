/**
 * bench/RESULTS.md holds what `npm run bench:all` writes between two markers, and sections
 * written by hand around it (profiles, runs of single benchmarks, what a figure means): a run
 * replaces its own section and leaves the rest as it was. The section it replaces is also the
 * baseline each new figure is compared with.
 */

/** The markers around a generated section, e.g. `<!-- bench:all begin -->`. */
export const sectionMarkers = (section: string): { begin: string; end: string } => ({
  begin: `<!-- ${section} begin -->`,
  end: `<!-- ${section} end -->`,
});

/** The text between a section's markers, or undefined when the file has no such section. */
export function sectionOf(file: string, section: string): string | undefined {
  const { begin, end } = sectionMarkers(section);
  const from = file.indexOf(begin);
  const to = file.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return file.slice(from + begin.length, to);
}

/**
 * The file with the section's text replaced; a file without that section gets it after its
 * first line (the title), or as the whole file when empty.
 */
export function withSection(file: string, section: string, text: string): string {
  const { begin, end } = sectionMarkers(section);
  const block = `${begin}\n${text.trim()}\n${end}`;
  const from = file.indexOf(begin);
  const to = file.indexOf(end);
  if (from >= 0 && to > from) return file.slice(0, from) + block + file.slice(to + end.length);
  if (file.trim() === '') return `${block}\n`;
  const title = file.indexOf('\n');
  if (title < 0) return `${file}\n\n${block}\n`;
  return `${file.slice(0, title + 1)}\n${block}\n${file.slice(title + 1)}`;
}

/** The figures of a results table (`| figure | value | unit | … |`), by figure and unit. */
export function figuresIn(text: string | undefined): Map<string, number> {
  const figures = new Map<string, number>();
  for (const line of (text ?? '').split('\n')) {
    const cells = line.split(/(?<!\\)\|/).map((c) => c.trim());
    // ['', figure, value, unit, …, '']
    if (cells.length < 5 || cells[0] !== '') continue;
    const [, figure, value, unit] = cells as [string, string, string, string];
    const number = Number(value.replace(/,/g, ''));
    if (figure === '' || figure === 'figure' || value === '' || !Number.isFinite(number)) continue;
    figures.set(figureKey(figure.replace(/\\\|/g, '|'), unit), number);
  }
  return figures;
}

export const figureKey = (figure: string, unit: string): string => `${figure} [${unit}]`;

/** Whether a larger value of this unit is better, smaller is better, or neither is known. */
export function betterWhen(unit: string): 'higher' | 'lower' | undefined {
  if (/\/s$|^%$|^×$/.test(unit)) return 'higher';
  if (/^(ms|µs|s|MB|MiB|B|events|commands)$/.test(unit)) return 'lower';
  return undefined;
}

/**
 * The change from a baseline value, as the table shows it: "+12.0%" or "−3.1%", and "(worse)"
 * when the change goes the unit's wrong way by more than `noise` (a fraction).
 */
export function changeCell(
  value: number,
  before: number | undefined,
  unit: string,
  noise = 0.1,
): string {
  if (before === undefined) return 'new';
  if (before === 0) return value === 0 ? 'same' : 'was 0';
  const change = (value - before) / Math.abs(before);
  const text = `${change >= 0 ? '+' : '−'}${Math.abs(change * 100).toFixed(1)}%`;
  const better = betterWhen(unit);
  const worse = (better === 'higher' && change < -noise) || (better === 'lower' && change > noise);
  return worse ? `${text} (worse)` : text;
}
