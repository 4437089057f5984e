import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The console is served by the API under /console (apps/api/src/console/console.ts), from the
// files this build writes to dist/console. Scripts are files of that origin only: the API's
// Content-Security-Policy (script-src 'self') allows nothing inline.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  logLevel: 'warn',
  // The typed client from its sources, so that the console builds without its compiled package.
  resolve: {
    alias: {
      '@ledger/client': fileURLToPath(new URL('../../libs/client/src/index.ts', import.meta.url)),
    },
  },
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../../dist/console', import.meta.url)),
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 1024,
  },
});
