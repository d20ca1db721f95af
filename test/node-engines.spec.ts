// The README promises Node.js 20.19 or newer (package.json `engines`). npm only warns
// (EBADENGINE) when an installed package declares otherwise, and such a package may use
// what the older Node lacks; so this test fails instead: every installed runtime
// dependency must accept both the Node running the tests and our lowest supported
// version. Development tools are held to the same rule, except the few listed below
// with the reason (the README's requirements line names them). "Runtime" is what
// production installs: the lock's `devOptional` packages (the Prisma CLI, reachable from
// @prisma/client only as an optional peer) are dev tools, and the Dockerfile prunes them
// (--omit=dev --omit=optional).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minVersion, satisfies } from 'semver';

const root = join(__dirname, '..');

/** Dev-only packages that declare a newer Node, and why no compatible version exists. */
const DEV_EXCEPTIONS: Record<string, string> = {
  '@prisma/streams-local':
    "part of the Prisma CLI's `prisma dev` server (never run here); every version declares Node 22, and prisma 7.10 pins it",
};

interface LockEntry {
  readonly version?: string;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
}

const ours = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lowest = minVersion(ours.engines.node)!.version;
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, LockEntry>;
};

interface Installed {
  readonly name: string;
  readonly version: string;
  readonly node: string | undefined;
  readonly dev: boolean;
}

const installed: Installed[] = Object.entries(lock.packages)
  .filter(([path, entry]) => path.startsWith('node_modules/') && !entry.link)
  .filter(([path]) => existsSync(join(root, path, 'package.json')))
  .map(([path, entry]) => {
    const manifest = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8')) as {
      name: string;
      version: string;
      engines?: { node?: string };
    };
    return {
      name: manifest.name,
      version: manifest.version,
      node: manifest.engines?.node,
      dev: entry.dev === true || entry.devOptional === true,
    };
  });

const accepts = (range: string | undefined, version: string) =>
  range === undefined || satisfies(version, range, { includePrerelease: true });
const refusing = (version: string, dev: boolean) =>
  installed
    .filter((p) => p.dev === dev && !accepts(p.node, version))
    .map((p) => `${p.name}@${p.version} requires node ${p.node}`);

describe(`installed packages accept Node ${process.version} and ${lowest} (package.json engines ${ours.engines.node})`, () => {
  it('reads the installed tree', () => {
    expect(installed.filter((p) => !p.dev).length).toBeGreaterThan(100);
    expect(accepts(ours.engines.node, process.version)).toBe(true);
  });

  it.each([process.version, lowest])('every runtime dependency accepts Node %s', (version) => {
    expect(refusing(version, false)).toEqual([]);
  });

  it.each([process.version, lowest])(
    'every development tool accepts Node %s, but the listed exceptions',
    (version) => {
      const unexpected = refusing(version, true).filter(
        (line) => !Object.keys(DEV_EXCEPTIONS).some((name) => line.startsWith(`${name}@`)),
      );
      expect(unexpected).toEqual([]);
    },
  );

  it('lists no exception that is no longer needed (so the README stays true)', () => {
    const stale = Object.keys(DEV_EXCEPTIONS).filter(
      (name) =>
        !installed.some((p) => p.name === name && !accepts(p.node, process.version)) &&
        !installed.some((p) => p.name === name && !accepts(p.node, lowest)),
    );
    expect(stale).toEqual([]);
  });
});
