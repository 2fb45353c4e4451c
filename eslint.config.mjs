import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.local/**', 'coverage/**', 'infra/ferretdb/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        __dirname: 'readonly',
        module: 'writable',
        require: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // Apps and libraries meet only through package entry points (`main`, `exports`): a deep
    // import into another package's build output or sources is a dependency no reader sees.
    files: ['{libs,gateway,user,brand,product,order,payment,cron-jobs,load-test}/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@runrun/*/dist', '@runrun/*/dist/*', '@runrun/*/src', '@runrun/*/src/*'],
              message: "Import the package's entry point or one of its `exports`, not its files.",
            },
            {
              regex: String.raw`^(\.\./)+(libs/[^/]+|gateway|user|brand|product|order|payment|cron-jobs|load-test)/(src|dist)(/|$)`,
              message: 'Another package is imported by its name (@runrun/...), never by a relative path.',
            },
          ],
        },
      ],
    },
  },
);
