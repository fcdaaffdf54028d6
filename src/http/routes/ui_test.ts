import assert from "node:assert/strict";
import { Hono } from "hono";
import { notFound } from "../hardening.ts";
import { uiRoutes } from "./ui.ts";

/** The repository's ui/index.html, read here independently of the route. */
const INDEX = new URL("../../../ui/index.html", import.meta.url);

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

Deno.test("GET / serves ui/index.html found beside the module, whatever the working directory", async () => {
  const cwd = Deno.cwd();
  Deno.chdir("/");
  try {
    const res = await uiRoutes().request("/");
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("Content-Type"), "text/html; charset=utf-8");
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), await Deno.readFile(INDEX));
  } finally {
    Deno.chdir(cwd);
  }
});

Deno.test("the placeholder page links the API description and loads nothing inline", async () => {
  const html = await Deno.readTextFile(INDEX);
  assert.match(html, /href="\/openapi\.json"/);
  assert.ok(!/<script|style=|<style/i.test(html), "CSP default-src 'self' would block inline code");
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
