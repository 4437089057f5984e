import { relative } from 'node:path';
import { importCycles, importsOf, productionFiles, ROOT } from './import-graph';

/**
 * How the code may depend on itself: checked on the sources, so that a new import that breaks
 * a boundary fails here with the file that made it.
 */
describe('imports between the parts of the ledger', () => {
  const production = [...productionFiles('libs'), ...productionFiles('apps')];

  it('no production file imports itself back through other files (no import cycle)', () => {
    expect(importCycles(production)).toEqual([]);
  });

  it('the cycle check finds a cycle where there is one', () => {
    const cyclic = importCycles(productionFiles('test/architecture/cycle-example'));
    expect(cyclic).toEqual([
      ['test/architecture/cycle-example/a.ts', 'test/architecture/cycle-example/b.ts'],
    ]);
  });

  it('production code never reaches the test builders (@ledger/domain/testing)', () => {
    const offenders = production.filter((file) =>
      importsOf(file).some(
        (s) => s.startsWith('@ledger/domain/testing') || s.includes('domain/src/testing'),
      ),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('the worker and the CLI import no file of the API', () => {
    const offenders = [...productionFiles('apps/worker'), ...productionFiles('apps/cli')].filter(
      (file) => importsOf(file).some((s) => s.includes('/api/')),
    );
    expect(offenders.map((f) => relative(ROOT, f))).toEqual([]);
  });

  it('benchmarks use the libraries through their public index only', () => {
    const offenders = productionFiles('bench').flatMap((file) =>
      importsOf(file)
        .filter((s) => s.includes('libs/') || /^@ledger\/[^/]+\/./.test(s))
        .map((s) => `${relative(ROOT, file)} → ${s}`),
    );
    expect(offenders).toEqual([]);
  });
});
