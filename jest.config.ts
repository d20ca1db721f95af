import type { Config } from 'jest';

// ts-jest transpiles the ESM-only noble packages too: jest 30 on Node 20
// cannot require() ES modules through its own loader (see docs/adr/0001).
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testRegex: '\\.(spec|test)\\.ts$',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.(t|j)s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@noble|canonicalize|@prisma/schema-engine-wasm)/)'],
  moduleNameMapper: {
    // Generated Prisma client and ESM sources import './x.js'; jest resolves the .ts file.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^@custos/(gs1|ledger|custody|core)/(.*)$': '<rootDir>/libs/$1/src/$2',
  },
  maxWorkers: 2,
  testTimeout: 60_000,
  verbose: false,
};

export default config;
