import assert from "node:assert/strict";
import { buildUi, minifyCss } from "./build.ts";

/** SHA-256 of `bytes` in hex, computed here independently of the build. */
async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const d = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...d].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Gzip size at the default level, as a server or proxy would send it. */
async function gzipSize(bytes: Uint8Array<ArrayBuffer>): Promise<number> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

Deno.test({
  name: "buildUi() writes index.html naming a bundle, a stylesheet and an icon by their content hash",
  // deno bundle runs in a subprocess and may fetch npm packages the first time.
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "flintnet-ui-dist-" });
    try {
      await Deno.writeTextFile(`${out}/app-0000000000.js`, "stale");
      const built = await buildUi({ outDir: new URL(`file://${out}/`) });
      const html = await Deno.readTextFile(`${out}/index.html`);
      const names = [...html.matchAll(/(?:src|href)="\/ui\/([^"]+)"/g)].map((m) => m[1]);
      assert.deepEqual(names.sort(), [built.icon, built.script, built.stylesheet].sort());
      for (const name of names) {
        const bytes = await Deno.readFile(`${out}/${name}`);
        const hash = /-([0-9a-f]{10})\.\w+$/.exec(name)?.[1];
        assert.ok(hash, `${name} carries a hash`);
        assert.ok((await sha256Hex(bytes)).startsWith(hash), `${name} is named by its content`);
      }
      assert.ok(!/<script(?![^>]*\bsrc=)|style=|<style/i.test(html), "nothing inline: the CSP forbids it");
      const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
      assert.deepEqual(files, [...names, "index.html"].sort(), "the previous build's files are gone");
      const js = await Deno.readTextFile(`${out}/${built.script}`);
      assert.ok(
        !/\bfetch\(["'`]https?:/.test(js) && !/from\s*["']https?:/.test(js),
        "no download at run time",
      );
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test({
  name: "the built dashboard (everything index.html loads) is at most 60 KB gzipped",
  sanitizeResources: false,
  async fn() {
    const out = await Deno.makeTempDir({ prefix: "flintnet-ui-budget-" });
    try {
      await buildUi({ outDir: new URL(`file://${out}/`) });
      const html = await Deno.readFile(`${out}/index.html`);
      const names = [...new TextDecoder().decode(html).matchAll(/(?:src|href)="\/ui\/([^"]+)"/g)].map((m) =>
        m[1]
      );
      let total = await gzipSize(html);
      const sizes: string[] = [];
      for (const name of names) {
        const size = await gzipSize(await Deno.readFile(`${out}/${name}`));
        sizes.push(`${name} ${size} B`);
        total += size;
      }
      console.log(`dashboard gzipped: ${total} B (${sizes.join(", ")}, index.html)`);
      assert.ok(total <= 60 * 1024, `${total} B gzipped is over the 60 KB budget`);
    } finally {
      await Deno.remove(out, { recursive: true });
    }
  },
});

Deno.test("minifyCss() drops comments and spaces that carry no meaning, keeping values intact", () => {
  const css =
    `/* theme */\n:root {\n  --x: 1px;\n}\n.a > .b ,\n.c:hover { font-family: "DejaVu Sans", sans-serif ; }\n`;
  assert.equal(minifyCss(css), ':root{--x:1px}.a>.b,.c:hover{font-family:"DejaVu Sans",sans-serif}');
});
