/**
 * `deno task compile`: one executable, `dist/flintnet`, with the dashboard, the Workers and the commit
 * it was built from embedded, so it runs from any working directory.
 *
 *   deno task compile                       # → dist/flintnet
 *   deno run -A scripts/compile.ts --output /tmp/flintnet [--target x86_64-unknown-linux-gnu]
 *
 * `deno compile` puts the program into a copy of Deno's `denort` runtime, which it downloads once (into
 * Deno's cache) for the target. A build machine without internet access sets DENORT_BIN to a `denort` of
 * the same Deno version (the full `deno` binary is not one: the result would start a REPL); a connected
 * build machine adds nothing. Exit code: deno compile's, or 2 for bad arguments.
 */
import { gitCommit } from "../src/base/build_info.ts";

const REPO = decodeURIComponent(new URL("../", import.meta.url).pathname);

/** Files the program opens at run time: Workers (by URL), the dashboard, the build's commit. */
export const EMBEDDED = [
  "src/capture/capture_worker.ts",
  "src/capture/file_worker.ts",
  "src/netflow/collector_worker.ts",
  "src/store/flow_history_worker.ts",
  "ui/dist/",
  "src/base/build_commit.txt",
];

/** The `deno compile` arguments for `output` (and a target triple, when cross-compiling). */
export function compileArgs(output: string, target?: string): string[] {
  return [
    "compile",
    "--allow-all",
    // Only what main.ts reaches: the UI libraries are already in ui/dist, the test tools never ship.
    "--exclude-unused-npm",
    ...EMBEDDED.flatMap((f) => ["--include", f]),
    ...(target ? ["--target", target] : []),
    "--output",
    output,
    "main.ts",
  ];
}

async function main(args: string[]): Promise<number> {
  let output = "dist/flintnet", target: string | undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "--output" && args[i + 1]) output = args[++i];
    else if (args[i] === "--target" && args[i + 1]) target = args[++i];
    else {
      console.error(`compile: unknown argument "${args[i]}"; accepted: --output PATH, --target TRIPLE`);
      return 2;
    }
  }
  const commitFile = `${REPO}src/base/build_commit.txt`;
  // FLINTNET_BUILD_COMMIT names it where there is no git checkout (a container build without .git).
  const given = Deno.env.get("FLINTNET_BUILD_COMMIT");
  const commit = given && /^[0-9a-f]{7,40}$/.test(given) ? given : (await gitCommit(REPO)) ?? "unknown";
  await Deno.writeTextFile(commitFile, `${commit}\n`);
  try {
    const denort = Deno.env.get("DENORT_BIN");
    if (denort) console.error(`compile: using the denort runtime at ${denort} (DENORT_BIN)`);
    const run = await new Deno.Command(Deno.execPath(), { args: compileArgs(output, target), cwd: REPO })
      .spawn().status;
    if (!run.success && !denort) {
      console.error(
        "compile: deno compile failed; if it could not download its denort runtime (no internet access), " +
          `set DENORT_BIN to a denort ${Deno.version.deno} binary and run it again`,
      );
    }
    return run.code;
  } finally {
    await Deno.remove(commitFile).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
