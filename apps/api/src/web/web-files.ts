import { createHash } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

// The built pages (scripts/build-web.mjs writes them to dist/web) are served by the API
// role itself: no CDN, and a policy that lets a page load nothing from anywhere else. The
// scan page is at / (web.controller.ts), the GraphQL explorer at GET /graphql when a
// browser asks for HTML (graphql-http.ts).
// 'wasm-unsafe-eval' lets zxing compile its WebAssembly; nothing allows JavaScript eval.
export const SCAN_PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob: mediastream:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

// The explorer's stylesheet (GraphiQL's) carries its fonts as data: URLs; it opens
// graphql-ws sockets to this same host, which 'self' covers.
export const EXPLORER_CSP = SCAN_PAGE_CSP.replace(
  "img-src 'self' data: blob:",
  "img-src 'self' data: blob:; font-src 'self' data:",
);

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export interface File {
  readonly type: string;
  readonly body: Buffer;
  /** Strong validator of the bytes, for revalidation with If-None-Match. */
  readonly etag: string;
}

function file(type: string, body: Buffer): File {
  const digest = createHash('sha256').update(body).digest('base64url').slice(0, 27);
  return { type, body, etag: `"${digest}"` };
}

/** dist/web above this file: dist/apps/api/src/web when built, apps/api/src/web in tests. */
function findWebRoot(from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'dist', 'web', 'index.html'))) return join(dir, 'dist', 'web');
    if (dirname(dir) === dir) return undefined;
  }
}

/** The trailing `//# sourceMappingURL=…` line esbuild writes, which points at a .map. */
const SOURCE_MAP_COMMENT = /\n\/\/# sourceMappingURL=[^\n]*\n?$/;

/**
 * The built page's files. Without `sourceMaps` (CUSTOS_WEB_SOURCE_MAPS; off when
 * NODE_ENV=production) the .map files are not served and the scripts do not name them.
 */
function load(
  root: string | undefined,
  sourceMaps: boolean,
): { index?: File; explorer?: File; assets: Map<string, File> } {
  const assets = new Map<string, File>();
  if (!root) return { assets };
  const dir = join(root, 'assets');
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const extension = extname(name);
    const type = CONTENT_TYPES[extension];
    if (!type || (extension === '.map' && !sourceMaps)) continue;
    let body = readFileSync(join(dir, name));
    if (extension === '.js' && !sourceMaps) {
      body = Buffer.from(body.toString('utf8').replace(SOURCE_MAP_COMMENT, '\n'));
    }
    assets.set(name, file(type, body));
  }
  const explorer = join(root, 'explorer.html');
  return {
    index: file(CONTENT_TYPES['.html']!, readFileSync(join(root, 'index.html'))),
    ...(existsSync(explorer)
      ? { explorer: file(CONTENT_TYPES['.html']!, readFileSync(explorer)) }
      : {}),
    assets,
  };
}

/** The built pages and their assets, read once at start. */
@Injectable()
export class WebFiles {
  private readonly page: ReturnType<typeof load>;

  constructor(@Inject(CONFIG) config: Config) {
    this.page = load(findWebRoot(__dirname), config.webSourceMaps);
    if (!this.page.index) {
      new Logger('ScanPage').warn(
        'dist/web is missing: run `npm run build` to serve the scan page at /',
      );
    }
  }

  get index(): File | undefined {
    return this.page.index;
  }

  get explorer(): File | undefined {
    return this.page.explorer;
  }

  asset(name: string): File | undefined {
    return this.page.assets.get(name); // only files the build wrote: no path to escape
  }

  /** Sends `file` with its headers, or 304 when the client holds these very bytes. */
  send(
    res: FastifyReply,
    file: File,
    ifNoneMatch: string | undefined,
    csp: string = SCAN_PAGE_CSP,
  ): void {
    void res.headers({
      'Content-Type': file.type,
      'Content-Security-Policy': csp,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Permissions-Policy': 'camera=(self), microphone=(), geolocation=()',
      // Names are not content-hashed (but for chunks): revalidate with the ETag.
      'Cache-Control': 'no-cache',
      ETag: file.etag,
    });
    const matches = ifNoneMatch
      ?.split(',')
      .some((tag) => tag.trim().replace(/^W\//, '') === file.etag);
    if (matches) void res.status(304).send();
    else void res.send(file.body);
  }
}
