import { changeCell, figureKey, figuresIn, sectionOf, withSection } from './results-file';

const generated = [
  '| figure | value | unit | before | change | command |',
  '| --- | ---: | --- | ---: | --- | --- |',
].join('\n');

describe('bench/RESULTS.md: the section bench:all writes, and the hand-written rest', () => {
  it('replaces only its own section, keeping what was written by hand before and after it', () => {
    const file = [
      '# Benchmark results',
      '',
      '<!-- bench:all begin -->',
      'old figures',
      '<!-- bench:all end -->',
      '',
      '## A profile written by hand',
      'kept',
    ].join('\n');
    const next = withSection(file, 'bench:all', 'new figures');
    expect(next).toBe(file.replace('old figures', 'new figures'));
    expect(sectionOf(next, 'bench:all')).toBe('\nnew figures\n');
  });

  it('adds a missing section after the title, and other sections stay apart', () => {
    const file = '# Benchmark results\n\n## By hand\nkept\n';
    const next = withSection(file, 'bench:all node 24', 'figures');
    expect(next).toBe(
      '# Benchmark results\n\n<!-- bench:all node 24 begin -->\nfigures\n<!-- bench:all node 24 end -->\n\n## By hand\nkept\n',
    );
    expect(withSection(next, 'bench:all', 'x')).toContain('## By hand\nkept');
    expect(sectionOf(next, 'bench:all')).toBeUndefined();
  });

  it('reads the figures of a table, in the old layout and in the one with a baseline', () => {
    const old = [
      '| figure | value | unit | command |',
      '| --- | ---: | --- | --- |',
      '| append 1 event, 16 writers | 2,825 | events/s | `npm run bench:append` |',
      '| audit verify, peak RSS | 132 | MiB | `npm run bench:audit` |',
    ].join('\n');
    expect(figuresIn(old)).toEqual(
      new Map([
        [figureKey('append 1 event, 16 writers', 'events/s'), 2825],
        [figureKey('audit verify, peak RSS', 'MiB'), 132],
      ]),
    );
    expect(figuresIn(`${generated}\n| p99 | 16.1 | ms | 15.0 | +7.3% | x |`)).toEqual(
      new Map([[figureKey('p99', 'ms'), 16.1]]),
    );
  });

  it('names a change beyond the noise in the wrong direction for its unit', () => {
    expect(changeCell(2500, 2825, 'events/s')).toBe('−11.5% (worse)');
    expect(changeCell(2700, 2825, 'events/s')).toBe('−4.4%');
    expect(changeCell(20, 16, 'ms')).toBe('+25.0% (worse)');
    expect(changeCell(12, 16, 'ms')).toBe('−25.0%');
    expect(changeCell(5, undefined, 'ms')).toBe('new');
  });
});
