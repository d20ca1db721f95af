// PGlite's CommonJS build loads Node built-ins with import("fs/promises") etc. jest's
// CommonJS runtime cannot run import() unless it runs every ES module natively
// (--experimental-vm-modules), which in turn refuses to require the ESM-only NestJS 12.
// So for PGlite only, each literal import("x") becomes a require of the same built-in
// (through a copy of jest's require: PGlite's emscripten code declares its own `require`).
module.exports = {
  process(source) {
    const code = source.replace(/\bimport\(("[\w:/.-]+")\)/g, 'Promise.resolve(__jestRequire($1))');
    return { code: `var __jestRequire = require;${code}` };
  },
  getCacheKey(source, path) {
    return require('node:crypto')
      .createHash('sha256')
      .update('v2')
      .update(path)
      .update(source)
      .digest('hex');
  },
};
