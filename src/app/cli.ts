/**
 * The command line: `flintnet` (daemon), `flintnet replay FILE [--all-flows]`, `flintnet version`,
 * `flintnet --help`. Returns the exit code: 0 ok, 1 runtime failure, 2 bad usage or configuration.
 */
import { isAbsolute, resolve } from "node:path";
import { BpfError, LibpcapLoadError } from "../capture/mod.ts";
import {
  closestSetting,
  ConfigError,
  describeSettings,
  loadConfig,
  loadDetectorConfig,
} from "../config/mod.ts";
import { configCommand, reloadCommand, tokenCommand } from "./admin_commands.ts";
import { SettingsReloader, STAGED_ENV_FILE, startVariables } from "./reload.ts";
import { buildCommit, createLogger, setLogLevel, VERSION } from "../base/mod.ts";

const USAGE = `Flintnet ${VERSION} — watches the LAN, notices what matters, tells someone.

Usage:
  flintnet                      run the daemon (capture, flows, anomaly detection)
  flintnet replay FILE [--all-flows]
                                run the whole pipeline over a pcap/pcapng file and print one JSON
                                document: totals, flows (top 100 by bytes, or all), anomalies, events
  flintnet config check [--env-file FILE]
                                check settings without starting: one line per problem, exit 2 if any
  flintnet config example       print an env file with every setting at its default
  flintnet token rotate         write a new API token and make the running Flintnet use it
  flintnet reload [--env-file FILE] [--pid PID]
                                check FILE, hand it to the running Flintnet and tell it to reload
                                (the systemd unit's ExecReload; SIGHUP alone re-reads FLINTNET_ENV_FILE)
  flintnet version              print the version, the commit it was built from and Deno's version
  flintnet --help               this text

Settings come from FLINTNET_* environment variables, or from the env file named by
FLINTNET_ENV_FILE (default /etc/flintnet/flintnet.env when it exists):
`;

/** Runs one command; resolves to the process exit code. */
export async function runCli(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const [command, ...rest] = args;
  if (command === "--help" || command === "-h" || command === "help") {
    await writeOut(USAGE + settingsHelp());
    return 0;
  }
  if (command === "version" || command === "--version") {
    await writeOut(`flintnet ${VERSION} (commit ${await buildCommit()}, deno ${Deno.version.deno})\n`);
    return 0;
  }
  try {
    if (command === "replay") return await replayCommand(rest, env);
    // Production commands (issue 14), in admin_commands.ts.
    if (command === "config") return await configCommand(rest, env, writeOut, writeErr);
    if (command === "token") return await tokenCommand(rest, env, writeOut, writeErr);
    if (command === "reload") return await reloadCommand(rest, env, writeOut, writeErr);
    if (command === undefined || command === "run") return await daemonCommand(env);
  } catch (err) {
    if (
      err instanceof ConfigError || err instanceof UsageError || err instanceof BpfError ||
      err instanceof LibpcapLoadError
    ) {
      await writeErr(`flintnet: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  await writeErr(
    `flintnet: unknown command "${command}"; accepted: replay, config, token, reload, version, --help ` +
      "(none runs the daemon)\n",
  );
  return 2;
}

class UsageError extends Error {}

/** How long a graceful stop may take before the process exits regardless. */
const STOP_DEADLINE_MS = 4_500;

async function replayCommand(args: string[], env: Record<string, string | undefined>): Promise<number> {
  const allFlows = args.includes("--all-flows");
  const files = args.filter((a) => a !== "--all-flows");
  const unknown = files.filter((a) => a.startsWith("-"));
  if (unknown.length) throw new UsageError(`replay: unknown option "${unknown[0]}"; accepted: --all-flows`);
  if (files.length !== 1) {
    throw new UsageError("replay needs exactly one capture file: flintnet replay FILE [--all-flows]");
  }
  const cfg = await loadDetectorConfig(env);
  setLogLevel(cfg.logLevel);
  const { replayFile, replayJson } = await import("./replay.ts");
  const { CaptureFileError } = await import("../capture/mod.ts");
  try {
    // `deno task replay FILE` runs in the repository's directory; a relative FILE means the one the user
    // typed it from, which deno task passes as INIT_CWD.
    const file = env.INIT_CWD && !isAbsolute(files[0]) ? resolve(env.INIT_CWD, files[0]) : files[0];
    const result = await replayFile(file, {
      allFlows,
      maxFlows: cfg.maxFlows,
      flowIdleTimeoutS: cfg.flowIdleTimeoutS,
      flowActiveTimeoutS: cfg.flowActiveTimeoutS,
      anomaly: cfg.anomaly,
      arp: cfg.arp,
      visibility: cfg.visibility,
      analysis: cfg.analysis,
      // the daemon's allow list, when replay is pointed at its state directory
      stateDir: env.FLINTNET_STATE_DIR || null,
    });
    await writeOut(replayJson(result) + "\n");
    return 0;
  } catch (err) {
    if (
      err instanceof CaptureFileError || err instanceof Deno.errors.NotFound ||
      err instanceof Deno.errors.PermissionDenied
    ) {
      await writeErr(`flintnet: replay: ${(err as Error).message}\n`);
      return 2;
    }
    throw err;
  }
}

async function daemonCommand(env: Record<string, string | undefined>): Promise<number> {
  const cfg = await loadConfig(env);
  setLogLevel(cfg.logLevel);
  const log = createLogger("main");
  for (const name of cfg.unknownVariables) {
    const close = closestSetting(name);
    log.warn(
      close ? `unknown setting ignored: did you mean ${close}?` : "unknown setting ignored: is it misspelt?",
      { variable: name, ...(close ? { did_you_mean: close } : {}) },
    );
  }
  const { createApp } = await import("./app.ts");
  const app = createApp(cfg);
  // Listening before start(): a Ctrl-C or a systemd stop during start-up (discovery, the first sweep)
  // must stop the daemon cleanly too, not kill it with the signal's default action.
  let signalled: (signal: Deno.Signal) => void = () => {};
  const signal = new Promise<Deno.Signal>((resolve) => (signalled = resolve));
  let seen = false;
  const onSignal = (s: Deno.Signal) => {
    // A terminal or `deno task` may deliver the same signal twice; stop once.
    if (seen) return;
    seen = true;
    log.info("stopping", { signal: s });
    signalled(s);
  };
  Deno.addSignalListener("SIGTERM", () => onSignal("SIGTERM"));
  Deno.addSignalListener("SIGINT", () => onSignal("SIGINT"));
  await app.start();
  // SIGHUP: the settings that can change while running, and the API token (reload.ts says which).
  const reloader = new SettingsReloader(
    startVariables(env, cfg.envFile),
    env,
    () => [`${cfg.stateDir}/${STAGED_ENV_FILE}`, ...(cfg.envFile ? [cfg.envFile] : [])],
    app,
  );
  let reloading = Promise.resolve();
  Deno.addSignalListener("SIGHUP", () => {
    reloading = reloading.then(() =>
      reloader.reload().then(() => {}, (e) => log.error(`reload failed: ${e}`))
    );
  });
  await signal;
  const stopped = new Promise<void>((resolve) => {
    // systemd (TimeoutStopSec) and users expect an exit within 5 s, even if a peer's stalled socket
    // keeps a connection from closing: past the deadline, exit anyway.
    const deadline = setTimeout(() => {
      log.warn("stop took longer than 4.5 s; exiting anyway");
      resolve();
    }, STOP_DEADLINE_MS);
    app.stop().finally(() => {
      clearTimeout(deadline);
      resolve();
    });
  });
  await stopped;
  log.info("stopped");
  return 0;
}

function settingsHelp(): string {
  return describeSettings()
    .map((s) =>
      `  ${s.name.padEnd(30)} ${s.description}\n  ${"".padEnd(30)} default: ${
        s.default || "(none)"
      }; accepted: ${s.accepted}\n`
    )
    .join("");
}

async function writeOut(text: string): Promise<void> {
  await writeAll(Deno.stdout, text);
}

async function writeErr(text: string): Promise<void> {
  await writeAll(Deno.stderr, text);
}

async function writeAll(w: { write(p: Uint8Array): Promise<number> }, text: string): Promise<void> {
  let data = new TextEncoder().encode(text);
  while (data.length > 0) data = data.subarray(await w.write(data));
}
