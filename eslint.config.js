import tseslint from 'typescript-eslint';

const rawError = { selector: "NewExpression[callee.name='PlanekeeperError']", message: 'Make errors with the factories of packages/domain/src/errors.ts (notFound, conflict, ...).' };

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.data/**', '**/coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read env only in an app\'s config.ts.' },
      ],
      'no-restricted-syntax': ['error', rawError],
    },
  },
  // The api's layers point one way: routes -> services -> queries.
  {
    files: ['apps/api/src/db/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)(http|services)/', message: 'Queries hold queries only: no HTTP shapes, no use cases (apps/api/src/db imports neither http/ nor services/).' }] }],
    },
  },
  {
    files: ['apps/api/src/services/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '(^|/)http/', message: 'Services know nothing of HTTP: the route shapes the answer (apps/api/src/http/present).' }] }],
    },
  },
  {
    files: ['apps/api/src/**/*.routes.ts'],
    rules: {
      'no-restricted-syntax': ['error', rawError, { selector: "CallExpression[callee.property.name='transaction']", message: 'A route opens no transaction: the use case belongs in apps/api/src/services/.' }],
    },
  },
  {
    files: ['packages/domain/src/errors.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/config.ts', '**/vite.config.ts', '**/*.test.ts', '**/test/**', 'packages/db/src/connection.ts', 'packages/db/src/bin/**', 'packages/db/src/testing/**', 'tests/**', 'bench/**', '*.js', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
