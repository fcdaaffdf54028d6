/**
 * Builds the release tarball: `dist/flintnet-<version>-linux-<arch>.tar.gz` holding the binary, the
 * systemd unit, an example env file, the README, the operations guide and the licence, with a
 * SHA256SUMS inside and `<tarball>.sha256` beside it.
 *
 *   deno task release                                   # compiles first (scripts/compile.ts)
 *   deno run -A scripts/release.ts --binary PATH [--out DIR] [--licence FILE] [--arch ARCH]
 *
 * `--binary` packs an executable built elsewhere (or, in tests, a stand-in): it must answer
 * `version` with this checkout's version. Exit code 0, or 2 with one line saying what is missing.
 */
import { createHash } from "node:crypto";
import { envExample } from "../src/config/mod.ts";
import { VERSION } from "../src/base/mod.ts";

const REPO = decodeURIComponent(new URL("../", import.meta.url).pathname);

/** Files of the tarball besides the binary and the generated ones: [name in the tarball, path in the repo]. */
const COPIED: [string, string][] = [
  ["flintnet.service", "flintnet.service"],
  ["README.md", "README.md"],
  ["docs/operations.md", "docs/operations.md"],
];

class Refused extends Error {}

async function run(cmd: string, args: string[], cwd = REPO): Promise<string> {
  const out = await new Deno.Command(cmd, { args, cwd, stdin: "null" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) {
    throw new Refused(
      `${cmd} ${args.join(" ")} failed (${out.code}): ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
  return text;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function main(args: string[]): Promise<number> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    if (!["--binary", "--out", "--licence", "--arch"].includes(args[i]) || args[i + 1] === undefined) {
      throw new Refused(
        `unknown or incomplete argument "${args[i]}"; accepted: --binary PATH, --out DIR, ` +
          "--licence FILE, --arch ARCH",
      );
    }
    opts[args[i]] = args[i + 1];
  }
  const out = opts["--out"] ?? `${REPO}dist`;
  const arch = opts["--arch"] ?? (Deno.build.arch === "x86_64" ? "x64" : "arm64");
  const licence = opts["--licence"] ?? `${REPO}LICENSE`;
  try {
    await Deno.stat(licence);
  } catch {
    throw new Refused(
      `no licence file at ${licence}: add the product's LICENSE to the repository (or pass --licence)`,
    );
  }
  let binary = opts["--binary"];
  if (binary === undefined) {
    binary = `${out}/flintnet`;
    const compiled = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--allow-run",
        "--allow-env",
        "scripts/compile.ts",
        "--output",
        binary,
      ],
      cwd: REPO,
    }).spawn().status;
    if (!compiled.success) throw new Refused("the compile step failed (above); nothing was packed");
  }
  const answer = (await run(binary, ["version"], "/")).trim();
  if (!answer.startsWith(`flintnet ${VERSION} `)) {
    throw new Refused(
      `${binary} answers "version" with ${JSON.stringify(answer.slice(0, 80))}, not flintnet ${VERSION}`,
    );
  }
  const name = `flintnet-${VERSION}-linux-${arch}`;
  const stage = await Deno.makeTempDir({ prefix: "flintnet-release-" });
  try {
    const dir = `${stage}/${name}`;
    await Deno.mkdir(`${dir}/docs`, { recursive: true });
    await Deno.copyFile(binary, `${dir}/flintnet`);
    await Deno.chmod(`${dir}/flintnet`, 0o755);
    for (const [to, from] of COPIED) await Deno.copyFile(`${REPO}${from}`, `${dir}/${to}`);
    await Deno.copyFile(licence, `${dir}/LICENSE`);
    await Deno.writeTextFile(`${dir}/flintnet.env.example`, envExample());
    const files = ["flintnet", ...COPIED.map(([to]) => to), "LICENSE", "flintnet.env.example"].sort();
    const sums = await Promise.all(
      files.map(async (f) => `${sha256(await Deno.readFile(`${dir}/${f}`))}  ${f}\n`),
    );
    await Deno.writeTextFile(`${dir}/SHA256SUMS`, sums.join(""));
    await Deno.mkdir(out, { recursive: true });
    const tarball = `${out}/${name}.tar.gz`;
    // Owner root and sorted names, so the same inputs give the same listing on any machine.
    await run("tar", [
      "--sort=name",
      "--owner=0",
      "--group=0",
      "--numeric-owner",
      "-czf",
      tarball,
      "-C",
      stage,
      name,
    ]);
    await Deno.writeTextFile(
      `${tarball}.sha256`,
      `${sha256(await Deno.readFile(tarball))}  ${name}.tar.gz\n`,
    );
    console.log(`release: ${tarball} (${files.length + 1} files; checksum in ${name}.tar.gz.sha256)`);
  } finally {
    await Deno.remove(stage, { recursive: true });
  }
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    if (!(err instanceof Refused)) throw err;
    console.error(`release: ${err.message}`);
    Deno.exit(2);
  }
}
