import { createHash } from 'node:crypto';
import { Controller, Get, Headers, Inject, Logger, Param, Res } from '@nestjs/common';
import type { Config } from '@custos/core/config/config';
import { CONFIG } from '@custos/core/tokens';
import type { FastifyReply } from 'fastify';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';

// The built page (scripts/build-web.mjs writes it to dist/web) is served by the API role
// itself: no CDN, and a policy that lets the page load nothing from anywhere else.
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

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

interface File {
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
): { index?: File; assets: Map<string, File> } {
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
  return {
    index: file(CONTENT_TYPES['.html']!, readFileSync(join(root, 'index.html'))),
    assets,
  };
}

/** The pharmacist's scan page at `/` and its assets at `/assets/<name>`; public. */
@Controller()
export class WebController {
  private readonly page: ReturnType<typeof load>;

  constructor(@Inject(CONFIG) config: Config) {
    this.page = load(findWebRoot(__dirname), config.webSourceMaps);
    if (!this.page.index) {
      new Logger('ScanPage').warn(
        'dist/web is missing: run `npm run build` to serve the scan page at /',
      );
    }
  }

  @Get()
  index(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res() res: FastifyReply): void {
    if (!this.page.index) {
      void res
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The scan page is not built: run `npm run build`.\n');
      return;
    }
    this.send(res, this.page.index, ifNoneMatch);
  }

  @Get('assets/:name')
  asset(
    @Param('name') name: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res() res: FastifyReply,
  ): void {
    const file = this.page.assets.get(name); // only files the build wrote: no path to escape
    if (!file) {
      void res.status(404).type('text/plain; charset=utf-8').send('Not found.\n');
      return;
    }
    this.send(res, file, ifNoneMatch);
  }

  private send(res: FastifyReply, file: File, ifNoneMatch: string | undefined): void {
    void res.headers({
      'Content-Type': file.type,
      'Content-Security-Policy': SCAN_PAGE_CSP,
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
