/**
 * `flintnet` as a user runs it from a shell: `main.ts` in a subprocess from a scratch directory, with
 * FLINTNET_ENV_FILE=/dev/null, a state directory of the test's choosing and none of the caller's
 * FLINTNET_* variables; what it printed, its exit code and what it left in the state directory. A run
 * that has not exited after 30 s is killed (a daemon that started when it should not have).
 *
 * @example
 * const r = await runFlintnet([], { FLINTNET_INTERFACE: "lo", FLINTNET_LISTEN: "127.0.0.1:1" });
 * assert.equal(r.code, 2);
 */

const REPO = new URL("../../", import.meta.url);
const MAIN = decodeURIComponent(new URL("main.ts", REPO).pathname);
const CONFIG = decodeURIComponent(new URL("deno.json", REPO).pathname);
/** A run that has not exited by then is killed. */
const DEADLINE_MS = 30_000;

/** What one run did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** Lines of stderr, without the empty one after the final newline. */
  errLines: string[];
  /** Entries the run left in its state directory (sorted); [] when it is not a directory. */
  stateEntries: string[];
  /** The scratch directory it ran in (removed after the run). */
  dir: string;
}

/** Options of {@link runFlintnet}. */
export interface CliOptions {
  /** FLINTNET_STATE_DIR; a fresh empty directory in the scratch directory when absent. */
  stateDir?: string;
  /** Wraps the command line (e.g. in `unshare`), given the program and its arguments. */
  wrap?: (argv: string[]) => string[];
}

/** Runs `flintnet ARGS` with `env` added to a FLINTNET_*-free environment. */
export async function runFlintnet(
  args: string[],
  env: Record<string, string> = {},
  opts: CliOptions = {},
): Promise<CliRun> {
  const dir = await Deno.makeTempDir({ prefix: "flintnet_cli_" });
  try {
    let stateDir = opts.stateDir;
    if (stateDir === undefined) {
      stateDir = `${dir}/state`;
      await Deno.mkdir(stateDir);
    }
    const base = Object.fromEntries(
      Object.entries(Deno.env.toObject()).filter(([k]) => !k.startsWith("FLINTNET_")),
    );
    const argv = [Deno.execPath(), "run", "-A", "--config", CONFIG, MAIN, ...args];
    const [cmd, ...rest] = opts.wrap ? opts.wrap(argv) : argv;
    const child = new Deno.Command(cmd, {
      args: rest,
      cwd: dir,
      clearEnv: true,
      env: { ...base, NO_COLOR: "1", FLINTNET_ENV_FILE: "/dev/null", FLINTNET_STATE_DIR: stateDir, ...env },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const timer = setTimeout(() => {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
    }, DEADLINE_MS);
    const out = await child.output();
    clearTimeout(timer);
    const stderr = new TextDecoder().decode(out.stderr);
    const stateEntries: string[] = [];
    try {
      for await (const e of Deno.readDir(stateDir)) stateEntries.push(e.name);
    } catch { /* not a directory, or gone */ }
    return {
      code: out.code,
      stdout: new TextDecoder().decode(out.stdout),
      stderr,
      errLines: stderr.split("\n").filter((l, i, all) => !(l === "" && i === all.length - 1)),
      stateEntries: stateEntries.sort(),
      dir,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
