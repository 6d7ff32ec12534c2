import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', 'data/**', 'dist/**'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['eslint.config.js', 'test/support/*.cjs', 'worker/*.cjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // A preload that Node loads with --require before any loader is CommonJS.
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no activity implementations.
    files: ['workflows/**/*.ts', 'domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: 'Node built-ins break the workflow bundle; do I/O in an activity.' },
            {
              group: ['fs', 'path', 'os', 'crypto', 'child_process', 'http', 'https', 'net'],
              message: 'Node built-ins break the workflow bundle; do I/O in an activity.',
            },
            {
              group: ['../activities/*', '../infra/*'],
              allowTypeImports: true,
              message: 'Workflows import activities and infrastructure as types only.',
            },
          ],
        },
      ],
    },
  },
  {
    // The CLI talks to the round through infra/ and reads with domain/; only the launcher starts the web server.
    files: ['cli/**/*.ts'],
    ignores: ['cli/stack.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+web(/|$)',
              message:
                'The CLI does not import web/: move what both need into domain/ or infra/ (only cli/stack.ts starts the web server).',
            },
          ],
        },
      ],
    },
  },
  {
    // A benchmark measures what ships: test doubles (failing transports, fake rounds) must not leak into its numbers.
    files: ['bench/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+test(/|$)',
              message: 'bench/ does not import test/: move what both need into infra/ or bench/support/.',
            },
          ],
        },
      ],
    },
  },
);
