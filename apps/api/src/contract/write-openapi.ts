import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { loadConfig } from '@ledger/runtime';
import { buildOpenApiDocument } from './openapi';

/**
 * Writes the OpenAPI document from the application's decorators, without a database or a
 * listening port (Nest's preview mode builds the module graph and creates no provider):
 *   write-openapi <file>          writes it
 *   write-openapi --check <file>  exits 1 if <file> is not the document the code declares
 */
async function main(args: string[]): Promise<void> {
  const check = args[0] === '--check';
  const file = check ? args[1] : args[0];
  if (!file) throw new Error('usage: write-openapi [--check] <file>');
  const app = await NestFactory.create(
    AppModule.forRoot({
      config: loadConfig({ NODE_ENV: 'test' }),
      databaseUrl: 'postgres://preview-only',
      databaseKind: 'external',
    }),
    { preview: true, logger: false },
  );
  const text = JSON.stringify(buildOpenApiDocument(app), null, 2) + '\n';
  await app.close();
  if (!check) {
    writeFileSync(file, text);
    return;
  }
  const current = readFileSync(file, 'utf8');
  if (current !== text) {
    throw new Error(
      `${file} is not the OpenAPI document the code declares: run npm run contract:write and commit the result`,
    );
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
