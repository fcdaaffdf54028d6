/**
 * The layers of src/, kept as docs/architecture.md writes them down: that table is the only place the
 * allowed directions are stated, and this test reads it. A file of src/ may import another folder only
 * when that folder sits on a lower layer, and only through its mod.ts; src/ holds folders only; every
 * folder has a mod.ts and a row in the table. Tests (`*_test.ts`, tests/) may import anything.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const REPO = decodeURIComponent(new URL("../", import.meta.url).pathname);
const SRC = join(REPO, "src");

/** folder → layer, from the table between the layers markers of docs/architecture.md. */
function layerTable(): Map<string, number> {
  const doc = Deno.readTextFileSync(join(REPO, "docs/architecture.md"));
  const begin = doc.indexOf("<!-- layers:begin -->"), end = doc.indexOf("<!-- layers:end -->");
  assert.ok(begin >= 0 && end > begin, "docs/architecture.md has the layers table between its markers");
  const layers = new Map<string, number>();
  for (const row of doc.slice(begin, end).split("\n")) {
    const m = /^\|\s*(\d+)\s*\|\s*([a-z_]+)\s*\|/.exec(row);
    if (m) layers.set(m[2], Number(m[1]));
  }
  assert.ok(layers.size >= 10, `the table lists the folders (${layers.size} rows read)`);
  return layers;
}

function* sourceFiles(dir: string): Generator<string> {
  for (const e of Deno.readDirSync(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) yield* sourceFiles(path);
    else if (e.name.endsWith(".ts")) yield path;
  }
}

/** Every relative module specifier a file imports or re-exports (static and dynamic). */
function specifiers(text: string): string[] {
  const out: string[] = [];
  // Comments may show import lines as examples; they are not imports.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) out.push(m[1]);
  return out;
}

/** The top folder of src/ a path is in, or null outside src/. */
function folderOf(path: string): string | null {
  const rel = relative(SRC, path);
  return rel.startsWith("..") ? null : rel.split("/")[0];
}

interface Violation {
  file: string;
  imports: string;
  why: string;
}

/** What breaks the rules among `files` (paths under src/ and their text), given the layers. */
function violations(
  layers: Map<string, number>,
  files: Iterable<{ path: string; text: string }>,
): Violation[] {
  const out: Violation[] = [];
  for (const { path: file, text } of files) {
    if (file.endsWith("_test.ts")) continue;
    const from = folderOf(file)!;
    for (const spec of specifiers(text)) {
      const target = normalize(join(dirname(file), spec));
      const to = folderOf(target);
      const rel = relative(REPO, file);
      if (to === null) {
        if (!target.endsWith(".json")) out.push({ file: rel, imports: spec, why: "reaches outside src/" });
        continue;
      }
      if (to === from) continue;
      const lf = layers.get(from)!, lt = layers.get(to);
      if (lt === undefined) continue; // reported as a folder without a row
      if (lt >= lf) {
        out.push({
          file: rel,
          imports: spec,
          why: `${from}/ (layer ${lf}) may not import ${to}/ (layer ${lt}): only lower layers`,
        });
      } else if (relative(join(SRC, to), target) !== "mod.ts") {
        out.push({ file: rel, imports: spec, why: `bypasses ${to}/mod.ts` });
      }
    }
  }
  return out;
}

function* sourceTexts(): Generator<{ path: string; text: string }> {
  for (const path of sourceFiles(SRC)) yield { path, text: Deno.readTextFileSync(path) };
}

Deno.test("src/ holds only folders, each with a mod.ts and a row in docs/architecture.md's layers table", () => {
  const layers = layerTable();
  const entries = [...Deno.readDirSync(SRC)];
  assert.deepEqual(entries.filter((e) => !e.isDirectory).map((e) => e.name), [], "no loose files in src/");
  for (const e of entries) {
    assert.ok(layers.has(e.name), `src/${e.name}/ has a row in the layers table`);
    assert.ok(
      Deno.statSync(join(SRC, e.name, "mod.ts")).isFile,
      `src/${e.name}/mod.ts exists`,
    );
  }
});

Deno.test("every import between folders of src/ goes down the layers and through the folder's mod.ts", () => {
  const found = violations(layerTable(), sourceTexts());
  assert.deepEqual(found.map((v) => `${v.file}: "${v.imports}" — ${v.why}`), []);
});

Deno.test("the layer check catches an upward import, a same-layer import and a bypassed mod.ts", () => {
  // The checker itself, on files made up here: it must see what it is for, and nothing else.
  const layers = new Map([["low", 1], ["mid", 2], ["peer", 2], ["high", 3]]);
  const file = (folder: string, text: string) => ({ path: join(SRC, folder, "x.ts"), text });
  const found = violations(layers, [
    file("mid", 'import { a } from "../low/mod.ts";\nimport { b } from "./sibling.ts";'),
    file("mid", 'import type { c } from "../high/mod.ts";'),
    file("mid", 'export { d } from "../peer/mod.ts";'),
    file("high", 'const { e } = await import("../low/thing.ts");'),
    file("high", '// import { f } from "../high/../peer/x.ts";\n/* import { g } from "../nowhere/x.ts" */'),
    file("low", 'import { h } from "../../tests/helpers/x.ts";'),
    { path: join(SRC, "low", "x_test.ts"), text: 'import { i } from "../high/deep.ts";' },
  ]);
  assert.deepEqual(found.map((v) => v.why), [
    "mid/ (layer 2) may not import high/ (layer 3): only lower layers",
    "mid/ (layer 2) may not import peer/ (layer 2): only lower layers",
    "bypasses low/mod.ts",
    "reaches outside src/",
  ]);
});

Deno.test("the way of one packet in docs/architecture.md is at most eight files of src/, each once", () => {
  const doc = Deno.readTextFileSync(join(REPO, "docs/architecture.md"));
  const begin = doc.indexOf("<!-- packet-path:begin -->"), end = doc.indexOf("<!-- packet-path:end -->");
  assert.ok(begin >= 0 && end > begin, "docs/architecture.md has the way of one packet between its markers");
  // each numbered stop opens with the file it happens in
  const stops = [...doc.slice(begin, end).matchAll(/^\d+\. `([a-z_]+\/[a-z_]+\.ts)`/gm)].map((m) => m[1]);
  assert.ok(stops.length >= 6, `the stops are read (${stops.length})`);
  assert.ok(stops.length <= 8, `a packet passes ${stops.length} files; at most 8`);
  assert.equal(new Set(stops).size, stops.length, "no file is visited twice");
  for (const f of stops) assert.ok(Deno.statSync(join(SRC, f)).isFile, `src/${f} exists`);
  assert.equal(stops[0], "capture/tpacket_ring.ts", "it starts at the kernel's ring");
  assert.equal(stops.at(-1), "http/sse_hub.ts", "it ends at the SSE clients");
});
