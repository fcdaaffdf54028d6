/**
 * Builds the dashboard for the daemon to serve: `ui/src/main.ts` bundled by `deno bundle` into one
 * minified ES module, `ui/styles/*.css` joined into one stylesheet, both named by a hash of their content
 * (so browsers may cache them for a year), and `ui/dist/index.html` naming them (served `no-store`, so a
 * new build is picked up at the next load). Nothing is fetched at run time: the daemon serves ui/dist/
 * and `deno compile --include ui/dist/` embeds it.
 *
 *   deno task build:ui
 *
 * Works offline once the npm packages are in Deno's cache, and from any working directory.
 *
 * @module
 */

/** What a build wrote. */
export interface UiBuild {
  /** The output directory (ui/dist/). */
  outDir: URL;
  /** Every file written, by name, with its size in bytes. */
  files: Record<string, number>;
  /** The hashed names index.html refers to. */
  script: string;
  /** The stylesheet's hashed name. */
  stylesheet: string;
  /** The icon's hashed name. */
  icon: string;
}

/** Options of {@link buildUi}. */
export interface UiBuildOptions {
  /** Where ui/ is (its sources, styles, index.html template). @default this file's directory */
  uiDir?: URL;
  /** Where the bundle goes. @default ui/dist/ */
  outDir?: URL;
}

/** The placeholders of ui/index.html that the build replaces with hashed names. */
const PLACEHOLDERS = { script: "/ui/app.js", stylesheet: "/ui/app.css", icon: "/ui/favicon.svg" } as const;

/** The first 10 hex digits of the SHA-256 of `bytes`: enough to tell builds apart. */
async function contentHash(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest.subarray(0, 5)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Comments and runs of whitespace out of the project's own CSS. Safe for what ui/styles holds (no
 * strings with significant spaces); not a general minifier.
 */
export function minifyCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\s+/g, " ")
    .replace(/\s*([{}:;,>])\s*/g, "$1")
    .replace(/;}/g, "}")
    .trim();
}

async function bundleScript(uiDir: URL): Promise<Uint8Array<ArrayBuffer>> {
  const tmp = await Deno.makeTempDir({ prefix: "flintnet-ui-build-" });
  try {
    const out = `${tmp}/app.js`;
    const repo = new URL("../", uiDir);
    const res = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--config",
        new URL("deno.json", repo).pathname,
        "--platform=browser",
        "--format=esm",
        "--minify",
        "--output",
        out,
        new URL("src/main.ts", uiDir).pathname,
      ],
      cwd: repo.pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (res.code !== 0) {
      const dec = new TextDecoder();
      throw new Error(
        `deno bundle failed (exit ${res.code}):\n${dec.decode(res.stdout)}${dec.decode(res.stderr)}`,
      );
    }
    return await Deno.readFile(out);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
}

async function readStyles(uiDir: URL): Promise<string> {
  const dir = new URL("styles/", uiDir);
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) if (e.isFile && e.name.endsWith(".css")) names.push(e.name);
  // Files are numbered (00_base.css, 10_layout.css …) so the cascade is their name order.
  names.sort();
  const parts = await Promise.all(names.map((n) => Deno.readTextFile(new URL(n, dir))));
  return minifyCss(parts.join("\n"));
}

/** Writes `bytes` to `url` through a temporary name, so a reader never sees half a file. */
async function writeWhole(url: URL, bytes: Uint8Array): Promise<void> {
  const tmp = new URL(`${url.pathname}.tmp-${crypto.randomUUID()}`, url);
  await Deno.writeFile(tmp, bytes);
  await Deno.rename(tmp, url);
}

/** Builds ui/dist/ (see the module's description); old hashed files are removed. */
export async function buildUi(opts: UiBuildOptions = {}): Promise<UiBuild> {
  const uiDir = opts.uiDir ?? new URL("./", import.meta.url);
  const outDir = opts.outDir ?? new URL("dist/", uiDir);
  const enc = new TextEncoder();
  const [script, css, icon, template] = await Promise.all([
    bundleScript(uiDir),
    readStyles(uiDir),
    Deno.readFile(new URL("favicon.svg", uiDir)),
    Deno.readTextFile(new URL("index.html", uiDir)),
  ]);
  const cssBytes = enc.encode(css);
  const names = {
    script: `app-${await contentHash(script)}.js`,
    stylesheet: `app-${await contentHash(cssBytes)}.css`,
    icon: `favicon-${await contentHash(icon)}.svg`,
  };
  let html = template;
  for (const key of Object.keys(PLACEHOLDERS) as (keyof typeof PLACEHOLDERS)[]) {
    if (!html.includes(`"${PLACEHOLDERS[key]}"`)) {
      throw new Error(
        `ui/index.html does not refer to "${PLACEHOLDERS[key]}": the build cannot name the ${key}`,
      );
    }
    html = html.replace(`"${PLACEHOLDERS[key]}"`, `"/ui/${names[key]}"`);
  }
  await Deno.mkdir(outDir, { recursive: true });
  const files: Record<string, number> = {};
  const outputs: [string, Uint8Array][] = [
    [names.script, script],
    [names.stylesheet, cssBytes],
    [names.icon, icon],
    // Last: until it is renamed into place, the previous index.html names the previous files, still there.
    ["index.html", enc.encode(html)],
  ];
  for (const [name, bytes] of outputs) {
    await writeWhole(new URL(name, outDir), bytes);
    files[name] = bytes.byteLength;
  }
  for await (const e of Deno.readDir(outDir)) {
    if (e.isFile && !Object.hasOwn(files, e.name)) await Deno.remove(new URL(e.name, outDir));
  }
  return { outDir, files, ...names };
}

if (import.meta.main) {
  const built = await buildUi();
  const list = Object.entries(built.files).map(([n, s]) => `${n} ${(s / 1024).toFixed(1)} KiB`).join(", ");
  console.error(`ui: built ${built.outDir.pathname}: ${list}`);
}
