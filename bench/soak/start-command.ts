/**
 * The command an npm script runs an app with: the environment it sets and the node flags it
 * passes (what follows the script's last `&&`, e.g. `MALLOC_ARENA_MAX=2 node
 * --max-old-space-size=192 dist/apps/api/src/main.js`). bench/soak starts the API and the
 * worker so, and a deployment test holds the Dockerfile to the same.
 */
export interface StartCommand {
  env: Record<string, string>;
  nodeFlags: string[];
  /** The script node runs, relative to the repository (dist/apps/…/main.js). */
  main: string;
}

export function startCommandOf(script: string): StartCommand {
  const last = script.split('&&').pop()?.trim() ?? '';
  const words = last.split(/\s+/).filter((w) => w !== '');
  const env: Record<string, string> = {};
  while (words[0] && /^[A-Z_][A-Z0-9_]*=/.test(words[0])) {
    const [name, ...value] = (words.shift() as string).split('=');
    env[name as string] = value.join('=');
  }
  if (words.shift() !== 'node') throw new Error(`"${script}" does not end by running node`);
  const nodeFlags: string[] = [];
  while (words[0]?.startsWith('-')) nodeFlags.push(words.shift() as string);
  const main = words.shift();
  if (!main || words.length > 0) throw new Error(`"${script}": expected node [flags] <script>`);
  return { env, nodeFlags, main };
}
