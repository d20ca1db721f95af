// ESM-only packages (NestJS 12, @noble, canonicalize, the schema engine) are transpiled to
// CommonJS by ts-jest, because jest 30 on Node 20 cannot require() ES modules. TypeScript
// cannot turn `import.meta.url` into CommonJS, so it is rewritten to the same URL first,
// and a module's own `const require = createRequire(...)` is renamed: in CommonJS the
// module already has a `require` that does the same.
const { createHash } = require('node:crypto');
const tsJest = require('ts-jest').default;

const META_URL = /\bimport\.meta\.url\b/g;
const FILE_URL = 'require("node:url").pathToFileURL(__filename).href';

module.exports = {
  createTransformer(options) {
    const inner = tsJest.createTransformer(options);
    const rewrite = (source) =>
      source.replace(META_URL, FILE_URL).replace(/\bconst require\s*=/g, 'const __esmRequire =');
    return {
      process: (source, path, config) => inner.process(rewrite(source), path, config),
      getCacheKey: (source, path, config) =>
        createHash('sha256')
          .update('esm-package-v2')
          .update(inner.getCacheKey(rewrite(source), path, config))
          .digest('hex'),
    };
  },
};
