// Lets ts-node (the benchmarks, the crash test's child sealer) load the generated Prisma
// client, whose TypeScript sources import './x.js' siblings that exist only as './x.ts'
// (jest maps the same in jest.config.ts).
const Module = require('node:module');

const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  try {
    return resolve.call(this, request, ...rest);
  } catch (err) {
    if (request.startsWith('.') && request.endsWith('.js')) {
      return resolve.call(this, `${request.slice(0, -3)}.ts`, ...rest);
    }
    throw err;
  }
};
