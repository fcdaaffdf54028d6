/**
 * `flintnet config check`: every problem of a set of settings at once, one line each, without starting
 * anything or touching the machine (no state directory is created, no port taken). The daemon stops at
 * the first problem; a person editing an env file wants them all.
 */
import { closestSetting, ConfigError, loadConfig, settingsTable } from "./load.ts";
import { read, type Vars } from "./setting.ts";
import { interfaceNames, SYSTEM_STATE_DIR } from "./system_probe.ts";

/** One finding of {@link checkSettings}. */
export interface ConfigProblem {
  /** "error" stops the daemon; "warning" is reported at start and ignored. */
  severity: "error" | "warning";
  /** The variable at fault, when there is one. */
  variable: string | undefined;
  /** One line: the variable, the value (never a secret's) and what is accepted. */
  message: string;
}

/**
 * Checks `vars` (the settings as the daemon would see them) setting by setting, then as a whole (rules
 * between settings, files they name). Machine facts are read-only: interface names come from the
 * machine, the state directory is not created.
 */
export async function checkSettings(vars: Vars): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  for (const s of settingsTable()) {
    try {
      read(s, vars);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push({ severity: "error", variable: s.name, message: err.message });
    }
  }
  for (const name of Object.keys(vars).filter((k) => k.startsWith("FLINTNET_")).sort()) {
    if (settingsTable().some((s) => s.name === name)) continue;
    const close = closestSetting(name);
    problems.push({
      severity: "warning",
      variable: name,
      message: `${name} is not a Flintnet setting and is ignored${close ? `: did you mean ${close}?` : ""}`,
    });
  }
  if (problems.some((p) => p.severity === "error")) return problems;
  // Each value is fine alone: now the rules between them and the files they name, as the daemon applies
  // them. Only the variables given count (no env file is read again), and no directory is created.
  const { FLINTNET_ENV_FILE: _, ...rest } = vars;
  try {
    const cfg = await loadConfig(rest, { chooseStateDir: () => Promise.resolve(SYSTEM_STATE_DIR) }, {
      defaultEnvFile: "/nonexistent/flintnet.env",
    });
    const known = interfaceNames();
    const missing = cfg.interfaces.filter((i) => !known.includes(i));
    if (missing.length > 0 && !cfg.interfaceWait) {
      problems.push({
        severity: "error",
        variable: "FLINTNET_INTERFACE",
        message:
          `FLINTNET_INTERFACE=${JSON.stringify(cfg.interfaces.join(","))} is not valid: this machine ` +
          `has no interface ${JSON.stringify(missing[0])} (it has ${
            known.join(", ")
          }); correct the name, or ` +
          "set FLINTNET_INTERFACE_WAIT=1 to start anyway and capture once it appears",
      });
    }
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push({ severity: "error", variable: err.variable, message: err.message });
  }
  return problems;
}
