import type { Config } from 'jest';

// jest 30 on Node 20 cannot require() ES modules, and its native ESM mode refuses to
// require() them too; so ESM-only packages are transpiled to CommonJS like our own code
// (test/jest/*.cjs say how). See docs/adr/0001.
const tsJestOptions = { tsconfig: '<rootDir>/tsconfig.jest.json' };
const esmPackages = [
  '@noble',
  '@prisma/schema-engine-wasm',
  '@nestjs',
  '@electric-sql',
  'jose',
  // Mercurius imports the ESM-only quick-lru with import() (rewritten, as for PGlite).
  'quick-lru',
  'mercurius',
];

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(spec|test)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '@electric-sql/pglite/dist/.+\\.cjs$': '<rootDir>/test/jest/require-dynamic-imports.cjs',
    '/node_modules/mercurius/index\\.js$': '<rootDir>/test/jest/require-dynamic-imports.cjs',
    '/node_modules/.+\\.js$': ['<rootDir>/test/jest/esm-package-transformer.cjs', tsJestOptions],
    '^.+\\.ts$': ['ts-jest', tsJestOptions],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmPackages.join('|')})/)`],
  moduleNameMapper: {
    // Generated Prisma client and ESM sources import './x.js'; jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // Every library resolves the same way: @custos/<lib>/<file> is libs/<lib>/src/<file>.
    '^@custos/([a-z0-9-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  // Two on this 2-core machine. Three was tried (e745034): on a fresh clone, whose jest
  // cache is cold, every worker compiles the TypeScript it loads, and jest took 733 s with
  // three against 678 s with two (CPU 24.7 against 19.8 min); only with a warm cache were
  // three faster (546 s).
  maxWorkers: 2,
  testTimeout: 60_000,
  verbose: false,
};

export default config;
