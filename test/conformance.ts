// Where the third-party conformance material lives: test/conformance in this repository
// (a byte-for-byte copy of the team's collection; origins and licences in its README,
// INVENTORY.csv and NOTICE.md). Only this copy: a clone tests against what it holds.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const conformanceRoot = resolve(__dirname, 'conformance');

export function conformancePath(...parts: string[]): string {
  const path = join(conformanceRoot, ...parts);
  if (!existsSync(path)) {
    throw new Error(
      `conformance material missing: ${path} (test/conformance is part of this repository)`,
    );
  }
  return path;
}

export function readConformanceJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readFileSync(conformancePath(...parts), 'utf8')) as T;
}
