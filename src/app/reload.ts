/**
 * SIGHUP: read the env file again, apply the settings that can change while running, and say which
 * changed and which wait for a restart — by name only, never a value. A file with a problem is not
 * applied at all (the daemon keeps running as it was, and says why, one line per problem).
 */
import { checkSettings, readEnvFile } from "../config/mod.ts";
import { createLogger, LOG_LEVELS, type LogLevel, setLogLevel } from "../base/mod.ts";

/** Settings applied on SIGHUP; every other change waits for a restart. */
export const RELOADABLE_SETTINGS: readonly string[] = ["FLINTNET_LOG_LEVEL", "FLINTNET_API_TOKEN"];

/** The file `flintnet reload` leaves in the state directory for the daemon to read on SIGHUP. */
export const STAGED_ENV_FILE = "reload.env";

type Vars = Record<string, string | undefined>;

/** What the reloader changes in the running daemon. */
export interface ReloadTarget {
  /** Re-reads the API token: `envToken` when FLINTNET_API_TOKEN is set, else the token file. */
  reloadApiToken(envToken: string | undefined): Promise<boolean>;
}

/** What one reload did (names only). */
export interface ReloadReport {
  /** Settings whose value differs from the running one. */
  changed: string[];
  /** Of those, the ones now in effect. */
  applied: string[];
  /** Of those, the ones that take effect at the next restart. */
  restartNeeded: string[];
  /** Problems that stopped the reload (nothing applied). */
  problems: string[];
  /** The API token changed (from its file or the setting). */
  tokenChanged: boolean;
}

/** The FLINTNET_* variables as the daemon sees them: the env file's, with the environment over them. */
export function startVariables(env: Vars, envFile: string | undefined): Vars {
  const file = envFile === undefined || envFile === "/dev/null" ? {} : readEnvFile(envFile);
  return flintnetOnly({
    ...file,
    ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined)),
  });
}

function flintnetOnly(vars: Vars): Vars {
  return Object.fromEntries(Object.entries(vars).filter(([k]) => k.startsWith("FLINTNET_")));
}

/** Re-reads the settings on SIGHUP. */
export class SettingsReloader {
  #running: Vars;
  readonly #env: Vars;
  readonly #sources: () => string[];
  readonly #target: ReloadTarget;
  readonly #log = createLogger("reload");

  /**
   * @param running the variables the daemon started with ({@link startVariables})
   * @param env the process environment (under systemd: the env file as it was at start)
   * @param sources env files to read, first existing wins (the staged copy, then FLINTNET_ENV_FILE)
   */
  constructor(running: Vars, env: Vars, sources: () => string[], target: ReloadTarget) {
    this.#running = { ...running };
    this.#env = flintnetOnly(env);
    this.#sources = sources;
    this.#target = target;
  }

  /** Reads the first existing source, applies what it can and logs what it did. */
  async reload(): Promise<ReloadReport> {
    const report: ReloadReport = {
      changed: [],
      applied: [],
      restartNeeded: [],
      problems: [],
      tokenChanged: false,
    };
    let fileVars: Vars = {};
    let source: string | undefined;
    for (const path of this.#sources()) {
      try {
        fileVars = readEnvFile(path);
        source = path;
        break;
      } catch { /* the next source */ }
    }
    // The file wins over the environment Flintnet started with: under systemd that environment is the
    // env file as it was then. A line removed from the file keeps the value it had.
    const next = flintnetOnly({ ...this.#env, ...fileVars });
    const problems = (await checkSettings(next)).filter((p) => p.severity === "error");
    if (problems.length > 0) {
      report.problems = problems.map((p) => p.message);
      for (const p of report.problems) this.#log.error(`reload refused: ${p}`, { source });
      this.#log.error("reload refused: still running with the previous settings", {
        source,
        problems: problems.length,
      });
      return report;
    }
    const names = new Set([...Object.keys(this.#running), ...Object.keys(next)]);
    for (const name of [...names].sort()) {
      if ((this.#running[name] ?? "").trim() === (next[name] ?? "").trim()) continue;
      report.changed.push(name);
      (RELOADABLE_SETTINGS.includes(name) ? report.applied : report.restartNeeded).push(name);
    }
    for (const name of report.applied) this.#running[name] = next[name];
    if (report.applied.includes("FLINTNET_LOG_LEVEL")) {
      const level = (this.#running.FLINTNET_LOG_LEVEL?.trim().toLowerCase() || "info") as LogLevel;
      if ((LOG_LEVELS as readonly string[]).includes(level)) setLogLevel(level);
    }
    const envToken = this.#running.FLINTNET_API_TOKEN?.trim() || undefined;
    try {
      report.tokenChanged = await this.#target.reloadApiToken(envToken);
    } catch (err) {
      report.problems.push((err as Error).message);
      this.#log.error(`API token not reloaded: ${(err as Error).message}; the previous one stays valid`);
    }
    this.#log.info(
      report.changed.length === 0 ? "settings reloaded: nothing changed" : "settings reloaded",
      {
        source: source ?? null,
        changed: report.changed,
        applied: report.applied,
        restart_needed: report.restartNeeded,
        new_api_credential: report.tokenChanged,
      },
    );
    if (report.restartNeeded.length > 0) {
      this.#log.warn(
        `changed settings that take effect at the next restart: ${report.restartNeeded.join(", ")}`,
      );
    }
    return report;
  }
}
