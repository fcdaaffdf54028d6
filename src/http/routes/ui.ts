/**
 * The dashboard's static files, as `deno task build:ui` writes them into ui/dist/: `GET /` is its
 * index.html (the app uses hash routes, so it never collides with API paths) and `GET /ui/<file>` any
 * other file there. Files are found relative to this module, never the working directory, so
 * `deno compile --include ui/dist/` serves the same files from inside the binary. Served without the
 * token: a browser loads them before the user has pasted it.
 *
 * Caching: index.html is `no-store` (it names the current build's files); a file whose name carries a
 * content hash (`app-3f9a0c12de.js`) is `immutable` for a year, since another build gives another name;
 * anything else is revalidated with its ETag.
 */
import { type Context, Hono } from "hono";
import { errorResponse } from "../errors.ts";

/** Options of {@link uiRoutes}. */
export interface UiOptions {
  /** Directory the files are read from (a file: URL ending in "/"). @default the repository's ui/dist/ */
  root?: URL;
}

/** Extensions served, with their types; anything else under ui/ (sources, READMEs) is not. */
const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  mjs: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  ico: "image/x-icon",
  woff2: "font/woff2",
  webmanifest: "application/manifest+json",
};

/** A path segment that cannot climb out of the directory or name a hidden file. */
const SEGMENT = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/** A name the build gave by content: `<name>-<10 or more hex digits>.<ext>`. */
const HASHED_NAME = /-[0-9a-f]{10,}\.[a-z0-9]+$/;

/** Cache-Control of a hashed file: another build gives another name, so it never changes. */
export const IMMUTABLE = "public, max-age=31536000, immutable";

/** What `GET /` answers when ui/dist/ has not been built (`deno run main.ts` straight from a clone). */
const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Flintnet</title></head><body>
<h1>Flintnet is running; its dashboard is not built</h1>
<p>Build it with <code>deno task build:ui</code> (<code>deno task start</code> does) and reload this page.
The HTTP API works meanwhile: it is described in <a href="/openapi.json">/openapi.json</a>.</p>
</body></html>
`;

interface StaticFile {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** Serves `GET /` and `GET /ui/*` from the ui/ directory. */
export function uiRoutes(opts: UiOptions = {}): Hono {
  const root = opts.root ?? new URL("../../../ui/dist/", import.meta.url);
  // Only files that exist are cached, so the cache is bounded by the directory's contents.
  const cache = new Map<string, StaticFile>();

  async function load(path: string): Promise<StaticFile | undefined> {
    const hit = cache.get(path);
    if (hit) return hit;
    const segments = path.split("/");
    const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
    if (!segments.every((s) => SEGMENT.test(s)) || !Object.hasOwn(CONTENT_TYPES, ext)) return undefined;
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(new URL(path, root));
    } catch (err) {
      if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.IsADirectory) return undefined;
      throw err;
    }
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
    const etag = `"${digest.subarray(0, 16).toBase64({ alphabet: "base64url", omitPadding: true })}"`;
    const file = { bytes, type: CONTENT_TYPES[ext], etag };
    // index.html names the build's files: read afresh each time, so a rebuild is served at once.
    if (path !== "index.html") cache.set(path, file);
    return file;
  }

  async function serve(c: Context, path: string): Promise<Response> {
    const file = await load(path);
    if (!file && path === "index.html") {
      return c.body(NOT_BUILT, 503, { "Content-Type": CONTENT_TYPES.html, "Cache-Control": "no-store" });
    }
    if (!file) return errorResponse(c, 404, "not_found", `the dashboard has no file ${path.slice(0, 200)}`);
    if (path === "index.html") {
      return c.body(file.bytes, 200, { "Content-Type": file.type, "Cache-Control": "no-store" });
    }
    // Hashed names never change; others are revalidated on every load and answered 304 when unchanged.
    const headers = { "Cache-Control": HASHED_NAME.test(path) ? IMMUTABLE : "no-cache", ETag: file.etag };
    if (c.req.header("If-None-Match")?.split(",").some((t) => t.trim() === file.etag)) {
      return c.body(null, 304, headers);
    }
    return c.body(file.bytes, 200, { ...headers, "Content-Type": file.type });
  }

  const app = new Hono();
  app.get("/", (c) => serve(c, "index.html"));
  app.get("/ui/*", (c) => serve(c, c.req.path.slice("/ui/".length)));
  return app;
}
