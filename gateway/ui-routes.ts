import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire, stripTypeScriptTypes } from 'node:module';
import { dirname, extname, join } from 'node:path';
import { type Context, Hono } from 'hono';
import type { GatewayEnv } from './http/gateway-env.ts';

interface Asset {
  body: string;
  type: string;
  etag: string;
}

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.ts': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * The operators' UI: plain modules, no framework and no bundler. The TypeScript in
 * gateway/ui is stripped of its types once, at start (Node's own stripper), and served
 * as JavaScript; uPlot comes from node_modules. Everything is held in memory with an
 * ETag, so a reload costs a 304 per file.
 */
export function uiRoutes(): Hono<GatewayEnv> {
  const dir = join(import.meta.dirname, 'ui');
  const assets = new Map<string, Asset>();
  const add = (path: string, body: string, type: string) =>
    assets.set(path, { body, type, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` });
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.test.ts')) continue;
    const ext = extname(file);
    const type = types[ext];
    if (!type) continue;
    const text = readFileSync(join(dir, file), 'utf8');
    add(`/ui/${file}`, ext === '.ts' ? stripTypeScriptTypes(text, { mode: 'strip' }) : text, type);
  }
  const uplot = dirname(createRequire(import.meta.url).resolve('uplot/package.json'));
  add('/ui/vendor/uplot.js', readFileSync(join(uplot, 'dist', 'uPlot.esm.js'), 'utf8'), types['.js'] as string);
  add('/ui/vendor/uplot.css', readFileSync(join(uplot, 'dist', 'uPlot.min.css'), 'utf8'), types['.css'] as string);

  const app = new Hono<GatewayEnv>();
  const serve = (path: string) => (c: Context<GatewayEnv>) => {
    const asset = assets.get(path);
    if (!asset) return c.json({ error: `no file ${path}` }, 404);
    if (c.req.header('if-none-match') === asset.etag) return c.body(null, 304, { etag: asset.etag });
    return c.body(asset.body, 200, { 'content-type': asset.type, etag: asset.etag, 'cache-control': 'no-cache' });
  };
  app.get('/', serve('/ui/index.html'));
  app.get('/ui/*', (c) => serve(new URL(c.req.url).pathname)(c));
  return app;
}
