import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startCommandOf } from '../../bench/soak/start-command';

/**
 * The API's memory settings (docs/design-notes.md, "Long streams and memory") live in its start
 * command: `npm start`, the Dockerfile's and the README's must be one command, and bench:soak
 * measures it (it starts the API as package.json's start script does).
 */

const ROOT = join(__dirname, '..', '..');
const text = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const scripts = (JSON.parse(text('package.json')) as { scripts: Record<string, string> }).scripts;

describe("the API's start command: npm start, the Dockerfile and the README run it alike", () => {
  const start = startCommandOf(scripts.start ?? '');

  it("npm start bounds the V8 heap's two generations and glibc's malloc arenas", () => {
    expect(start.main).toBe('dist/apps/api/src/main.js');
    expect(start.nodeFlags).toEqual([
      expect.stringMatching(/^--max-old-space-size=\d+$/),
      expect.stringMatching(/^--max-semi-space-size=\d+$/),
    ]);
    expect(start.env).toEqual({ MALLOC_ARENA_MAX: expect.stringMatching(/^\d+$/) });
  });

  it('the Dockerfile runs the API with the same flags and environment', () => {
    const stages = text('Dockerfile').split(/^FROM /m);
    const last = stages[stages.length - 1] ?? '';
    const cmd = /^CMD (\[.*\])$/m.exec(last)?.[1];
    expect(cmd && JSON.parse(cmd)).toEqual(['node', ...start.nodeFlags, start.main]);
    for (const [name, value] of Object.entries(start.env))
      expect(last).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
  });

  it('the README shows that command, and the worker runs with the same settings', () => {
    const command = (s: typeof start) =>
      [...Object.entries(s.env).map(([k, v]) => `${k}=${v}`), 'node', ...s.nodeFlags, s.main].join(
        ' ',
      );
    expect(text('README.md')).toContain(command(start));
    const worker = startCommandOf(scripts.worker ?? '');
    expect(worker.main).toBe('dist/apps/worker/src/main.js');
    expect({ env: worker.env, nodeFlags: worker.nodeFlags }).toEqual({
      env: start.env,
      nodeFlags: start.nodeFlags,
    });
  });
});
