import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** The repository's root (this file sits in test/architecture). */
export const ROOT = resolve(__dirname, '../..');

const TEST_FILE = /\.(spec|int-spec|e2e-spec|fault-spec|drill-spec)\.ts$/;

/** Production TypeScript files under a folder: no tests, no `testing/` helpers. */
export function productionFiles(folder: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (name !== 'node_modules' && name !== 'testing' && name !== 'test') walk(path);
      } else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !TEST_FILE.test(name)) {
        found.push(path);
      }
    }
  };
  walk(join(ROOT, folder));
  return found.sort();
}

/** What a file imports, as written (type-only imports and re-exports included). */
export function importsOf(file: string): string[] {
  return ts
    .preProcessFile(readFileSync(file, 'utf8'), true, true)
    .importedFiles.map((f) => f.fileName);
}

/** The file a relative import names, or undefined for a package or a path alias. */
export function resolveRelative(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Every cycle of relative imports among the files, each as a list of repository paths. */
export function importCycles(files: readonly string[]): string[][] {
  const edges = new Map(
    files.map((file) => [
      file,
      importsOf(file)
        .map((specifier) => resolveRelative(file, specifier))
        .filter((target): target is string => target !== undefined),
    ]),
  );
  const cycles: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'visiting');
    stack.push(file);
    for (const next of edges.get(file) ?? []) {
      if (state.get(next) === 'visiting') {
        cycles.push(stack.slice(stack.indexOf(next)).map((f) => relative(ROOT, f)));
      } else if (state.get(next) === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (state.get(file) === undefined) visit(file);
  return cycles;
}
