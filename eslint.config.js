import tseslint from 'typescript-eslint';

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
      'no-restricted-syntax': [
        'error',
        { selector: "NewExpression[callee.name='PlanekeeperError']", message: 'Make errors with the factories of packages/domain/src/errors.ts (notFound, conflict, ...).' },
      ],
    },
  },
  {
    files: ['packages/domain/src/errors.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    files: ['**/config.ts', '**/*.test.ts', '**/test/**', 'packages/db/src/connection.ts', 'packages/db/src/bin/**', 'packages/db/src/testing/**', 'tests/**', 'bench/**', '*.js', 'scripts/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
