// Where the third-party conformance material lives: ../shared/conformance beside the
// repository (CI clones the repository with shared/ next to it), or CUSTOS_CONFORMANCE_DIR.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root =
  process.env.CUSTOS_CONFORMANCE_DIR ?? resolve(__dirname, '..', '..', 'shared', 'conformance');

export function conformancePath(...parts: string[]): string {
  const path = join(root, ...parts);
  if (!existsSync(path)) {
    throw new Error(`conformance material missing: ${path} (set CUSTOS_CONFORMANCE_DIR)`);
  }
  return path;
}

export function readConformanceJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(conformancePath(...parts), 'utf8')) as T;
}
