// Type-aware lint: an unawaited promise (queue.add(), $transaction) is a silent bug, and a
// switch over a domain enum must name every case. The code's boundaries are rules too
// (scripts/eslint-boundaries.mjs; docs/adr/0015 says what each allows and why).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries, { PURE_LIBRARIES } from './scripts/eslint-boundaries.mjs';

const pureSources = PURE_LIBRARIES.map((lib) => `libs/${lib}/src/**/*.ts`);

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'coverage/**',
      '**/generated/**',
      '.custos/**',
      'eslint.config.mjs',
      // Third-party consumers of the built SDK: type-checked after the build by their own test.
      'test/sdk-consumers/consumer.*',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.cjs', '**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.test.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  // Boundaries (docs/adr/0015, 0016). Tests and benchmarks are outside them on purpose:
  // they read and tamper with the database behind the application's back, and build
  // fixtures from any library's repositories.
  {
    files: ['**/*.ts'],
    ignores: ['test/**', 'bench/**', '**/*.spec.ts'],
    plugins: { custos: boundaries },
    rules: {
      'custos/sql-in-repositories': 'error',
      'custos/no-foreign-repository': 'error',
    },
  },
  {
    // Where Prisma and SQL belong: repositories, and the storage core that opens the
    // database, applies the migrations and takes the migration lock (libs/core's database
    // module), and the script that writes a migration.
    files: ['**/*.repository.ts', 'libs/core/src/database/**/*.ts', 'scripts/db-migration.ts'],
    rules: { 'custos/sql-in-repositories': 'off' },
  },
  {
    // Where SQL is allowed, one owner per ledger table: a use case's repository writes SQL
    // against its own tables, and reaches the ledger's through libs/store (docs/adr/0015).
    files: ['**/*.repository.ts'],
    ignores: ['test/**', 'bench/**'],
    plugins: { custos: boundaries },
    rules: { 'custos/ledger-tables-in-store': 'error' },
  },
  {
    files: pureSources,
    ignores: ['**/*.spec.ts'],
    plugins: { custos: boundaries },
    rules: { 'custos/pure-library': 'error' },
  },
);
