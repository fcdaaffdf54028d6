import assert from "node:assert/strict";
import { Hono } from "hono";
import { notFound } from "../hardening.ts";
import { uiRoutes } from "./ui.ts";

/** The repository's ui/index.html (the template the build fills in), read here independently of the route. */
const TEMPLATE = new URL("../../../ui/index.html", import.meta.url);

async function withUiDir(fn: (root: URL) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-ui-" });
  try {
    await Deno.mkdir(`${dir}/assets`);
    await Deno.writeTextFile(`${dir}/index.html`, "<!doctype html><title>t</title>");
    await Deno.writeTextFile(`${dir}/app.js`, "console.log(1);\n");
    await Deno.writeTextFile(`${dir}/assets/style.css`, "body{}\n");
    await Deno.writeTextFile(`${dir}/README.md`, "# not served\n");
    await Deno.writeTextFile(`${dir}/.hidden.js`, "secret\n");
    await fn(new URL(`file://${dir}/`));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("GET / serves index.html from the directory given, whatever the working directory, never cached", async () => {
  await withUiDir(async (root) => {
    const cwd = Deno.cwd();
    Deno.chdir("/");
    try {
      const res = await uiRoutes({ root }).request("/");
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8");
      assert.equal(res.headers.get("Cache-Control"), "no-store");
      assert.equal(await res.text(), "<!doctype html><title>t</title>");
    } finally {
      Deno.chdir(cwd);
    }
  });
});

Deno.test("GET / reads index.html again on every request, so a rebuild is served at once", async () => {
  await withUiDir(async (root) => {
    const app = uiRoutes({ root });
    assert.equal(await (await app.request("/")).text(), "<!doctype html><title>t</title>");
    await Deno.writeTextFile(new URL("index.html", root), "<!doctype html><title>rebuilt</title>");
    assert.equal(await (await app.request("/")).text(), "<!doctype html><title>rebuilt</title>");
  });
});

Deno.test("GET / says how to build the dashboard when ui/dist/ has no index.html", async () => {
  const dir = await Deno.makeTempDir({ prefix: "flintnet-ui-empty-" });
  try {
    const res = await uiRoutes({ root: new URL(`file://${dir}/`) }).request("/");
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("Cache-Control"), "no-store");
    const html = await res.text();
    assert.match(html, /deno task build:ui/);
    assert.match(html, /href="\/openapi\.json"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the index.html template loads only files by URL, nothing inline (CSP default-src 'self')", async () => {
  const html = await Deno.readTextFile(TEMPLATE);
  assert.ok(
    !/<script(?![^>]*\bsrc=)|style=|<style/i.test(html),
    "an inline script or style would be blocked",
  );
  assert.match(html, /<script type="module" src="\/ui\/app\.js"><\/script>/);
  assert.match(html, /<link rel="stylesheet" href="\/ui\/app\.css">/);
});

Deno.test("a file named by its content hash is cached for a year as immutable; other files revalidate", async () => {
  await withUiDir(async (root) => {
    await Deno.writeTextFile(new URL("app-0123456789.js", root), "export {};\n");
    const app = uiRoutes({ root });
    const hashed = await app.request("/ui/app-0123456789.js");
    assert.equal(hashed.status, 200);
    assert.equal(hashed.headers.get("Cache-Control"), "public, max-age=31536000, immutable");
    await hashed.body?.cancel();
    const plain = await app.request("/ui/app.js");
    assert.equal(plain.headers.get("Cache-Control"), "no-cache");
    await plain.body?.cancel();
  });
});

Deno.test("GET /ui/<file> serves files by type and revalidates them with an ETag", async () => {
  await withUiDir(async (root) => {
    const app = uiRoutes({ root });
    const js = await app.request("/ui/app.js");
    assert.equal(js.status, 200);
    assert.equal(js.headers.get("Content-Type"), "text/javascript; charset=utf-8");
    assert.equal(await js.text(), "console.log(1);\n");
    assert.equal(js.headers.get("Cache-Control"), "no-cache");
    const etag = js.headers.get("ETag");
    assert.match(etag ?? "", /^"[A-Za-z0-9_-]+"$/);
    const again = await app.request("/ui/app.js", { headers: { "If-None-Match": etag! } });
    assert.equal(again.status, 304);
    assert.equal(await again.text(), "");
    const css = await app.request("/ui/assets/style.css");
    assert.equal(css.headers.get("Content-Type"), "text/css; charset=utf-8");
    assert.equal(await css.text(), "body{}\n");
  });
});

Deno.test("GET /ui/ refuses other extensions, hidden files, missing files and climbing out", async () => {
  await withUiDir(async (root) => {
    // As the daemon mounts it: a URL that normalises out of /ui/ meets the app's JSON 404.
    const app = new Hono().route("/", uiRoutes({ root }));
    app.notFound(notFound);
    for (
      const path of [
        "/ui/README.md",
        "/ui/.hidden.js",
        "/ui/missing.js",
        "/ui/assets",
        "/ui/%2e%2e/%2e%2e/etc/passwd",
        "/ui/..%2f..%2fetc/hosts.html",
        "/ui/assets/..%2findex.html",
        "/ui/app.js%00.html",
      ]
    ) {
      const res = await app.request(path);
      assert.equal(res.status, 404, path);
      assert.equal((await res.json()).error.code, "not_found", path);
    }
  });
});
