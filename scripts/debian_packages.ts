/**
 * Installs missing Debian packages, for the README's two commands: `deno task start` needs the runtime
 * packages (scripts/install_runtime_packages.ts), `deno task test` the real peers the tests use
 * (tests/setup/install_test_packages.ts). When everything is present it costs one `dpkg-query`. When it
 * cannot install (not root, apt failing) it says which packages and the command that installs them, and
 * the caller exits non-zero so the task stops there instead of starting half-equipped.
 */

/** Package name → why Flintnet needs it (shown when it is installed or missing). */
export type PackageTable = Readonly<Record<string, string>>;

interface Ran {
  code: number;
  stdout: string;
}

async function run(cmd: string[], quiet = false): Promise<Ran> {
  try {
    const out = await new Deno.Command(cmd[0], {
      args: cmd.slice(1),
      stdout: "piped",
      stderr: quiet ? "piped" : "inherit",
      env: { DEBIAN_FRONTEND: "noninteractive" },
    }).output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return { code: 127, stdout: "" };
    throw err;
  }
}

/** The names in `table` that dpkg does not report as installed. */
export async function missingPackages(table: PackageTable): Promise<string[]> {
  const names = Object.keys(table);
  const query = await run(["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\\n", ...names], true);
  const installed = new Set(
    query.stdout.split("\n").filter((l) => l.endsWith(" installed")).map((l) => l.split(" ")[0]),
  );
  return names.filter((n) => !installed.has(n));
}

/**
 * Installs what is missing of `table` with apt-get. Resolves to a process exit code: 0 when everything
 * is (now) installed, 1 when something could not be, after one line saying what to run.
 */
export async function ensurePackages(table: PackageTable, purpose: string): Promise<number> {
  const missing = await missingPackages(table);
  if (missing.length === 0) return 0;
  const hint = `sudo apt-get install -y ${missing.join(" ")}`;
  if (Deno.uid() !== 0) {
    console.error(
      `flintnet: ${purpose} needs ${describe(missing, table)}; not root, so run  ${hint}  and try again`,
    );
    return 1;
  }
  console.error(`flintnet: installing for ${purpose}: ${describe(missing, table)}`);
  const steps = [["apt-get", "update", "-qq"], [
    "apt-get",
    "install",
    "-y",
    "-qq",
    "--no-install-recommends",
    ...missing,
  ]];
  for (const step of steps) {
    const r = await run(step);
    if (r.code !== 0) {
      const why = r.code === 127 ? "apt-get is not available" : `"${step.join(" ")}" exited ${r.code}`;
      console.error(`flintnet: could not install ${missing.join(", ")} (${why}); install them with  ${hint}`);
      return 1;
    }
  }
  const still = await missingPackages(table);
  if (still.length) {
    console.error(`flintnet: ${still.join(", ")} still not installed; install with  ${hint}`);
    return 1;
  }
  return 0;
}

function describe(names: string[], table: PackageTable): string {
  return names.map((n) => `${n} (${table[n]})`).join(", ");
}
