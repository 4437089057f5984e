import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Authenticator } from '../auth/authenticator';

/**
 * The web console (apps/console, built by `npm run build` into dist/console): static files under
 * /console, behind the API's own security headers (its scripts are files of this origin, never
 * inline), and GET /console/session, which names the role of the key presented so that the
 * console offers only what that role may call. The key travels in the Authorization header only.
 */
export function serveConsole(
  app: NestExpressApplication,
  authenticator: Authenticator,
  directory = consoleDirectory(),
): void {
  app.use('/console/session', (request: Request, response: Response, next: NextFunction) => {
    if (request.method !== 'GET') return next();
    try {
      const caller = authenticator.authenticate(request, response);
      response.setHeader('Cache-Control', 'no-store');
      response.json({ role: caller.role });
    } catch (error) {
      next(error);
    }
  });
  if (!existsSync(join(directory, 'index.html'))) {
    app.use('/console', (_request: Request, response: Response) => {
      response
        .status(503)
        .type('text/plain')
        .send(`The console is not built (${directory} is missing): run npm run build.\n`);
    });
    return;
  }
  app.useStaticAssets(directory, {
    prefix: '/console',
    index: 'index.html',
    setHeaders: (response, path) =>
      response.setHeader(
        'Cache-Control',
        path.includes(`${join(directory, 'assets')}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      ),
  });
}

/** LEDGER_CONSOLE_DIR, or dist/console of the checkout (the folder that holds package.json). */
function consoleDirectory(): string {
  if (process.env.LEDGER_CONSOLE_DIR) return process.env.LEDGER_CONSOLE_DIR;
  let folder = __dirname;
  while (!existsSync(join(folder, 'package.json')) && dirname(folder) !== folder) {
    folder = dirname(folder);
  }
  return join(folder, 'dist', 'console');
}
