/**
 * The commands an admin runs beside the daemon: `flintnet config check [--env-file F]`,
 * `flintnet config example`, `flintnet token rotate` and `flintnet reload` (the unit's ExecReload).
 * Each returns the exit code: 0 done, 2 something a person must fix (one line each, what and why).
 */
import { join } from "node:path";
import {
  checkSettings,
  ConfigError,
  type ConfigProblem,
  DEFAULT_ENV_FILE,
  envExample,
  generateApiToken,
  loadConfig,
  readEnvFile,
} from "../config/mod.ts";
import { writeFileAtomic } from "../base/mod.ts";
import { holderPid, LOCK_FILE } from "./instance_lock.ts";
import { STAGED_ENV_FILE, startVariables } from "./reload.ts";

type Vars = Record<string, string | undefined>;
type Out = (text: string) => Promise<void>;

/** `flintnet config check|example …`. */
export async function configCommand(args: string[], env: Vars, out: Out, err: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "example" && rest.length === 0) {
    await out(envExample());
    return 0;
  }
  if (sub !== "check") {
    await err(
      `flintnet: config: unknown command "${sub ?? ""}"; accepted: check [--env-file FILE], example\n`,
    );
    return 2;
  }
  const opts = options(rest, ["--env-file"]);
  if (typeof opts === "string") {
    await err(`flintnet: config check: ${opts}\n`);
    return 2;
  }
  let vars: Vars, what: string;
  try {
    if (opts["--env-file"] !== undefined) {
      vars = readEnvFile(opts["--env-file"]);
      what = opts["--env-file"];
    } else {
      const file = env.FLINTNET_ENV_FILE?.trim() || (exists(DEFAULT_ENV_FILE) ? DEFAULT_ENV_FILE : undefined);
      vars = startVariables(env, file);
      what = file ? `${file} and the environment` : "the environment";
    }
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    await err(`flintnet: ${e.message}\n`);
    return 2;
  }
  const problems = await checkSettings(vars);
  await out(problems.map((p: ConfigProblem) => `${p.severity}: ${p.message}\n`).join(""));
  const errors = problems.filter((p) => p.severity === "error").length;
  const set = Object.keys(vars).filter((k) => k.startsWith("FLINTNET_")).length;
  await out(
    errors === 0
      ? `ok: ${what}: ${set} setting${set === 1 ? "" : "s"} set, all valid\n`
      : `${what}: ${errors} problem${
        errors === 1 ? "" : "s"
      }; Flintnet would not start with these settings\n`,
  );
  return errors === 0 ? 0 : 2;
}

/**
 * `flintnet token rotate`: a new API token in the state directory's token file (owned like the
 * directory, mode 0600), and the running Flintnet told to use it (SIGHUP), so the old one stops working.
 */
export async function tokenCommand(args: string[], env: Vars, out: Out, err: Out): Promise<number> {
  if (args.length !== 1 || args[0] !== "rotate") {
    await err(`flintnet: token: unknown command "${args.join(" ")}"; accepted: rotate\n`);
    return 2;
  }
  const cfg = await loadConfig(env);
  if (cfg.apiToken) {
    await err(
      "flintnet: token rotate: the API token comes from FLINTNET_API_TOKEN; change it where it is set " +
        "(the env file) and reload Flintnet (systemctl reload flintnet, or send it SIGHUP)\n",
    );
    return 2;
  }
  const path = join(cfg.stateDir, "api-token");
  await Deno.mkdir(cfg.stateDir, { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, generateApiToken() + "\n", { mode: 0o600 });
  await ownLikeDir(path, cfg.stateDir);
  const pid = runningPid(cfg.stateDir);
  if (pid !== null) Deno.kill(pid, "SIGHUP");
  await out(
    `new API token written to ${path} (read it with: sudo cat ${path}); ` +
      (pid !== null
        ? `Flintnet (PID ${pid}) now accepts only the new one\n`
        : `no Flintnet is running on ${cfg.stateDir}: it uses the new token when it starts\n`),
  );
  return 0;
}

/**
 * `flintnet reload [--env-file F] [--pid PID]`, the unit's `ExecReload=+…` (run as root, so it can read a
 * mode 0600 env file): checks F, copies it into the state directory for the daemon (which runs as
 * another user and cannot read F) and sends the daemon SIGHUP. A file with problems is not passed on.
 */
export async function reloadCommand(args: string[], env: Vars, out: Out, err: Out): Promise<number> {
  const opts = options(args, ["--env-file", "--pid"]);
  if (typeof opts === "string") {
    await err(`flintnet: reload: ${opts}\n`);
    return 2;
  }
  const file = opts["--env-file"] ?? DEFAULT_ENV_FILE;
  let vars: Vars;
  try {
    vars = readEnvFile(file);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    await err(`flintnet: ${e.message}\n`);
    return 2;
  }
  const errors = (await checkSettings(vars)).filter((p) => p.severity === "error");
  if (errors.length > 0) {
    await err(errors.map((p) => `flintnet: reload refused: ${p.message}\n`).join(""));
    return 2;
  }
  const stateDir = vars.FLINTNET_STATE_DIR?.trim() || env.FLINTNET_STATE_DIR?.trim() || "/var/lib/flintnet";
  const staged = join(stateDir, STAGED_ENV_FILE);
  await writeFileAtomic(staged, await Deno.readFile(file), { mode: 0o600 });
  await ownLikeDir(staged, stateDir);
  const pid = opts["--pid"] !== undefined ? Number(opts["--pid"]) : runningPid(stateDir);
  if (pid === null || !Number.isInteger(pid) || pid < 1) {
    await err(`flintnet: reload: no Flintnet is running on ${stateDir}; ${file} is used when it starts\n`);
    return 2;
  }
  Deno.kill(pid, "SIGHUP");
  await out(`${file} checked and handed to Flintnet (PID ${pid}); its log says what changed\n`);
  return 0;
}

/** The PID of the Flintnet holding the state directory's lock, or null when none runs. */
function runningPid(stateDir: string): number | null {
  const path = join(stateDir, LOCK_FILE);
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(path, { read: true, write: true });
  } catch {
    return null;
  }
  try {
    if (file.tryLockSync(true)) {
      file.unlockSync();
      return null;
    }
    return holderPid(path);
  } finally {
    file.close();
  }
}

/** Gives `path` the owner of `dir`, so a daemon running as that user (DynamicUser) can read it. */
async function ownLikeDir(path: string, dir: string): Promise<void> {
  const st = await Deno.stat(dir);
  const mine = await Deno.stat(path);
  if (st.uid !== null && st.gid !== null && (st.uid !== mine.uid || st.gid !== mine.gid)) {
    await Deno.chown(path, st.uid, st.gid);
  }
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `--name value` pairs among `accepted`; a string says what is wrong. */
function options(args: string[], accepted: string[]): Record<string, string> | string {
  const found: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    if (!accepted.includes(args[i])) {
      return `unknown argument "${args[i]}"; accepted: ${accepted.map((a) => `${a} VALUE`).join(", ")}`;
    }
    if (args[i + 1] === undefined) return `${args[i]} needs a value`;
    found[args[i]] = args[i + 1];
  }
  return found;
}
