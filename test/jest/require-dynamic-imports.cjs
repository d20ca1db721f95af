// PGlite's CommonJS build loads Node built-ins with import("fs/promises") etc., and
// Mercurius loads quick-lru with import('quick-lru'). jest's CommonJS runtime cannot run
// import() unless it runs every ES module natively (--experimental-vm-modules), which in
// turn refuses to require the ESM-only NestJS 12. So in those files only, each literal
// import("x") becomes a require of the same module (through a copy of jest's require:
// PGlite's emscripten code declares its own `require`); jest transpiles an ESM package
// it requires (jest.config.ts), whose namespace has the same `default`.
module.exports = {
  process(source) {
    const code = source.replace(
      /\bimport\((["'][\w:/.-]+["'])\)/g,
      'Promise.resolve(__jestRequire($1))',
    );
    return { code: `var __jestRequire = require;${code}` };
  },
  getCacheKey(source, path) {
    return require('node:crypto')
      .createHash('sha256')
      .update('v3')
      .update(path)
      .update(source)
      .digest('hex');
  },
};
