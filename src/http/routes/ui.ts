/**
 * The dashboard's static files: `GET /` is ui/index.html (the app uses hash routes, so it never
 * collides with API paths) and `GET /ui/<file>` any other file under ui/. Files are found relative
 * to this module, never the working directory, so `deno compile --include ui/` serves the same
 * files from inside the binary. Served without the token: a browser loads them before the user has
 * pasted it.
 */
import { type Context, Hono } from "hono";
import { errorResponse } from "../errors.ts";

/** Options of {@link uiRoutes}. */
export interface UiOptions {
  /** Directory the files are read from (a file: URL ending in "/"). @default the repository's ui/ */
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

interface StaticFile {
  bytes: Uint8Array<ArrayBuffer>;
  type: string;
  etag: string;
}

/** Serves `GET /` and `GET /ui/*` from the ui/ directory. */
export function uiRoutes(opts: UiOptions = {}): Hono {
  const root = opts.root ?? new URL("../../../ui/", import.meta.url);
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
    cache.set(path, file);
    return file;
  }

  async function serve(c: Context, path: string): Promise<Response> {
    const file = await load(path);
    if (!file) return errorResponse(c, 404, "not_found", `the dashboard has no file ${path.slice(0, 200)}`);
    // Revalidated on every load (names carry no hash), answered 304 when unchanged.
    const headers = { "Cache-Control": "no-cache", ETag: file.etag };
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
