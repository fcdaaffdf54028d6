/**
 * Every FLINTNET_* setting: its type, default, validation and documentation,
 * from one table, so `flintnet --help` and the validator never disagree.
 *
 * Values come from the environment and, below it in precedence, from an env
 * file (FLINTNET_ENV_FILE, else /etc/flintnet/flintnet.env when present — the
 * same file systemd's `EnvironmentFile=` reads). An empty value means "use the
 * default". A bad value stops startup with one line naming the variable, the
 * value and what is accepted.
 */

import { parseEnv } from "node:util";
import { formatDuration, type ListenAddress } from "./parsers.ts";
import { CORE_SETTINGS, DEFAULT_ENV_FILE } from "./core_settings.ts";
import { ALERT_SETTINGS, type AlertConfig, alertSettings } from "./alert_settings.ts";
import { type DiscoveryConfig, SNMP_SETTINGS, type SnmpConfig, snmpSettings } from "./snmp_settings.ts";
import { HTTP_SETTINGS, type HttpLimitsConfig, httpSettings } from "./http_settings.ts";
import { TRAP_SETTINGS, type TrapLimitsConfig, trapSettings } from "./trap_settings.ts";
import { ConfigError, invalid, read, type Setting, value, type Vars } from "./setting.ts";
import type { LogLevel } from "../base/mod.ts";
import { TOPOLOGY_SETTINGS, type TopologyConfig, topologySettings } from "./topology_settings.ts";
import { NETFLOW_SETTINGS, type NetflowConfig, netflowSettings } from "./netflow_settings.ts";
import { ANALYSIS_SETTINGS, type AnalysisConfig, analysisSettings } from "./analysis_settings.ts";
import { type SystemProbe, systemProbe } from "./system_probe.ts";
import { VISIBILITY_SETTINGS, type VisibilityConfig, visibilitySettings } from "./visibility_settings.ts";
import { RECORDING_SETTINGS, type RecordingConfig, recordingSettings } from "./recording_settings.ts";
import { SINK_SETTINGS, type SinkConfig, sinkSettings } from "./sink_settings.ts";

export { ConfigError, DEFAULT_ENV_FILE };
export type { ListenAddress };

/** Settings of the anomaly detector (flows, hosts, subnets; see docs/anomalies.md). */
export interface AnomalyConfig {
  /** Seconds between evaluations of every flow's rate against its baseline. */
  intervalS: number;
  /** EWMA smoothing factor of the recent baseline: weight of the newest interval, 0 < α ≤ 1. */
  alpha: number;
  /** How many spreads (σ of log-volume) above the baseline make an interval anomalous. */
  k: number;
  /** How many times the baseline an interval must carry to be anomalous. */
  ratio: number;
  /** Intervals with fewer bytes than this never alert (quiet flows are noisy in relative terms). */
  minBytes: number;
  /** Intervals a flow is observed before it may alert, so the baseline has settled. */
  warmupIntervals: number;
  /** How many anomalies are kept for the API. */
  storeSize: number;
}

/** The settings `flintnet replay` needs: flow timeouts and the packet and flow detectors. */
export interface DetectorConfig {
  /** Least severe level written to the log. */
  logLevel: LogLevel;
  /** Flow table capacity. */
  maxFlows: number;
  /** Seconds without packets after which a flow ends. */
  flowIdleTimeoutS: number;
  /** Seconds after which a long-lived flow is cut into a new record; ≥ the idle timeout. */
  flowActiveTimeoutS: number;
  /** Anomaly detector settings. */
  anomaly: AnomalyConfig;
  /** ARP watching. */
  arp: ArpWatchConfig;
  /** Names on flows, TCP health. */
  visibility: VisibilityConfig;
  /** PCAP recording. */
  recording: RecordingConfig;
  /** Advisories and flow history. */
  analysis: AnalysisConfig;
}

/** Settings of the ARP watcher. */
export interface ArpWatchConfig {
  /** Seconds after the first sighting during which new devices are learned quietly. */
  learningPeriodS: number;
  /** MACs that may legitimately answer for several IPs (routers, load balancers). */
  allowMacs: string[];
  /** Seconds within which two claims are "at the same time" (FLINTNET_ARP_WINDOW). */
  windowS: number;
}

/** The resolved configuration of the daemon. */
export interface Config extends DetectorConfig {
  /** Interfaces to capture on (default: the interface of the default route). */
  interfaces: string[];
  /** Start even when an interface does not exist yet, and capture once it appears. */
  interfaceWait: boolean;
  /** Local networks in normalised CIDR form (default: the first interface's IPv4 network, or none). */
  cidrs: string[];
  /** Where the HTTP API listens. */
  listen: ListenAddress;
  /** The HTTP server's deadlines and connection caps. */
  http: HttpLimitsConfig;
  /** Bearer token for the API; undefined means use (or create) `<stateDir>/api-token`. */
  apiToken?: string;
  /** Browser origins (`scheme://host[:port]`) allowed to call the API cross-origin; empty = none. */
  corsOrigins: string[];
  /** Serve GET /metrics without the bearer token (for a Prometheus that cannot send one). */
  metricsPublic: boolean;
  /** PEM certificate and key files for HTTPS; absent = plain HTTP. */
  tls?: TlsFiles;
  /** Absolute directory for state (devices, history, the API token). */
  stateDir: string;
  /** libpcap filter expression applied to capture; "" captures everything. */
  bpf: string;
  /** The libpcap library (soname or path) that compiles the filter. */
  libpcap: string;
  /** Bytes captured per packet. */
  snaplen: number;
  /** Largest size of the AF_PACKET ring per interface, in MiB. */
  ringMb: number;
  /** Size the ring opens at, MiB (at most ringMb); it grows under load. */
  ringStartMb: number;
  /** SNMP polling: credentials per network, timeouts, poll interval. */
  snmp: SnmpConfig;
  /** Discovery sweeps. */
  discovery: DiscoveryConfig;
  /** Where SNMP traps are received; null = off. */
  trapListen: ListenAddress | null;
  /** How many traps become events, and how much of each is kept. */
  traps: TrapLimitsConfig;
  /** ARP watching, alert history and delivery. */
  alerts: AlertConfig;
  /** The network map. */
  topology: TopologyConfig;
  /** The NetFlow/IPFIX collector. */
  netflow: NetflowConfig;
  /** The optional sinks (ClickHouse, InfluxDB) and the site label. */
  sinks: SinkConfig;
  /** The env file that was read, if any. */
  envFile: string | undefined;
  /** FLINTNET_* variables that no setting knows (likely typos), sorted; the caller warns about them. */
  unknownVariables: string[];
}

/** The PEM files that turn the API into HTTPS. */
export interface TlsFiles {
  /** Absolute path of the certificate chain (PEM). */
  cert: string;
  /** Absolute path of the private key (PEM). */
  key: string;
}

/** One row of `flintnet --help`. */
export interface SettingDescription {
  /** Environment variable name. */
  name: string;
  /** The default, in the same notation the setting accepts. */
  default: string;
  /** What values are accepted. */
  accepted: string;
  /** What the setting does. */
  description: string;
  /** Its value is a secret: never echoed, never logged. */
  secret: boolean;
}

const S = CORE_SETTINGS;

const SETTINGS: readonly Setting<unknown>[] = [
  ...Object.values(S),
  ...Object.values(HTTP_SETTINGS),
  ...Object.values(SNMP_SETTINGS),
  ...Object.values(TRAP_SETTINGS),
  ...Object.values(ALERT_SETTINGS),
  ...Object.values(TOPOLOGY_SETTINGS),
  ...Object.values(NETFLOW_SETTINGS),
  ...Object.values(VISIBILITY_SETTINGS),
  ...Object.values(RECORDING_SETTINGS),
  ...Object.values(ANALYSIS_SETTINGS),
  ...Object.values(SINK_SETTINGS),
] as Setting<unknown>[];
const KNOWN = new Set(SETTINGS.map((s) => s.name));

/** Every setting, in the order `--help` should list them. */
export function describeSettings(): SettingDescription[] {
  return SETTINGS.map((s) => ({
    name: s.name,
    default: s.defaultText,
    accepted: s.parser.accepted,
    description: s.description,
    secret: s.secret === true,
  }));
}

/** Every setting row, in `--help` order (for `flintnet config check`, which reads each on its own). */
export function settingsTable(): readonly Setting<unknown>[] {
  return SETTINGS;
}

/**
 * The known setting closest to a misspelt `name` ("FLINTNET_INTERFCE" → "FLINTNET_INTERFACE"), or
 * undefined when none is close: at most one edit per four characters of the part after FLINTNET_
 * (insertions, deletions, substitutions and swaps of neighbours all count one).
 */
export function closestSetting(name: string): string | undefined {
  const strip = (n: string) => n.replace(/^FLINTNET_/, "");
  const wanted = strip(name.toUpperCase());
  let best: string | undefined, bestDistance = Math.max(1, Math.floor(wanted.length / 4)) + 1;
  for (const known of KNOWN) {
    const d = editDistance(wanted, strip(known));
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

/** Optimal string alignment distance (Damerau–Levenshtein without repeated edits of one substring). */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

// ---------------------------------------------------------------- loading

/**
 * Parses an env file (NAME=value lines, # comments, optional quotes and `export`).
 * @throws ConfigError when it cannot be read
 */
export function readEnvFile(path: string): Record<string, string> {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "the file does not exist"
      : err instanceof Deno.errors.PermissionDenied
      ? "permission denied"
      : err instanceof Error
      ? err.message
      : String(err);
    throw new ConfigError(`env file ${JSON.stringify(path)} cannot be read: ${why}`, S.envFile.name);
  }
  return { ...parseEnv(text) } as Record<string, string>;
}

/** Options for {@link loadConfig} and {@link loadDetectorConfig}. */
export interface LoadConfigOptions {
  /** Env file read when FLINTNET_ENV_FILE is unset and this file exists. @default DEFAULT_ENV_FILE */
  defaultEnvFile?: string;
}

/** The environment merged over the env file, and which file was read. */
function mergedVariables(env: Vars, opts: LoadConfigOptions): { vars: Vars; envFile: string | undefined } {
  let envFile = read(S.envFile, env);
  if (envFile !== undefined) {
    try {
      Deno.statSync(envFile);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) throw invalid(S.envFile, envFile, "the file does not exist");
    }
  } else {
    const candidate = opts.defaultEnvFile ?? DEFAULT_ENV_FILE;
    try {
      Deno.statSync(candidate);
      envFile = candidate;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound) && !(err instanceof Deno.errors.NotCapable)) throw err;
    }
  }
  const vars: Vars = envFile === undefined ? {} : readEnvFile(envFile);
  // The real environment wins, even when it sets a variable to "" (= the default).
  for (const [k, v] of Object.entries(env)) if (v !== undefined) vars[k] = v;
  return { vars, envFile };
}

/** Reads a PEM file now, so a missing or unreadable one stops startup instead of the first request. */
function checkPemFile(s: Setting<string>, path: string, marker: RegExp, what: string): void {
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (err) {
    const why = err instanceof Deno.errors.NotFound
      ? "the file does not exist"
      : err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.NotCapable
      ? "permission denied"
      : err instanceof Deno.errors.IsADirectory
      ? "it is a directory"
      : err instanceof Error
      ? err.message
      : String(err);
    throw invalid(s as Setting<unknown>, path, why);
  }
  if (!marker.test(text)) {
    throw invalid(s as Setting<unknown>, path, `the file holds no PEM ${what}`);
  }
}

/** Both TLS files or neither; both must be readable PEM files. */
function tlsSettings(vars: Vars): TlsFiles | undefined {
  const cert = read(S.tlsCert, vars), key = read(S.tlsKey, vars);
  if (cert === undefined && key === undefined) return undefined;
  if (cert === undefined || key === undefined) {
    const [set, unset] = cert === undefined ? [S.tlsKey, S.tlsCert] : [S.tlsCert, S.tlsKey];
    throw new ConfigError(
      `${set.name} is set but ${unset.name} is not: set both for HTTPS, or neither for plain HTTP`,
      unset.name,
    );
  }
  checkPemFile(S.tlsCert, cert, /-----BEGIN CERTIFICATE-----/, "certificate");
  checkPemFile(S.tlsKey, key, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, "private key");
  return { cert, key };
}

function detectorSettings(vars: Vars): DetectorConfig {
  const flowIdleTimeoutS = value(S.flowIdleTimeoutS, vars);
  // Only an explicit active timeout can conflict: the default follows a longer idle timeout.
  const flowActiveTimeoutS = read(S.flowActiveTimeoutS, vars) ??
    Math.max(S.flowActiveTimeoutS.fallback!, flowIdleTimeoutS);
  if (flowActiveTimeoutS < flowIdleTimeoutS) {
    const idle = formatDuration(flowIdleTimeoutS);
    const active = formatDuration(flowActiveTimeoutS);
    throw new ConfigError(
      `${S.flowActiveTimeoutS.name} (${active}) is shorter than ${S.flowIdleTimeoutS.name} (${idle}): ` +
        `set ${S.flowActiveTimeoutS.name} to at least ${idle}`,
      S.flowActiveTimeoutS.name,
    );
  }
  const intervalS = value(S.anomalyIntervalS, vars);
  if (flowIdleTimeoutS < intervalS) {
    // A flow that sends once per interval would end at every close and never build a baseline.
    const idle = formatDuration(flowIdleTimeoutS), interval = formatDuration(intervalS);
    throw new ConfigError(
      `${S.flowIdleTimeoutS.name} (${idle}) is shorter than ${S.anomalyIntervalS.name} (${interval}): ` +
        `flows would end before their baseline could form; set ${S.flowIdleTimeoutS.name} to at least ${interval}`,
      S.flowIdleTimeoutS.name,
    );
  }
  return {
    ...analysisSettings(vars),
    logLevel: value(S.logLevel, vars),
    maxFlows: value(S.maxFlows, vars),
    flowIdleTimeoutS,
    flowActiveTimeoutS,
    anomaly: {
      intervalS,
      alpha: value(S.alpha, vars),
      k: value(S.k, vars),
      ratio: value(S.ratio, vars),
      minBytes: value(S.minBytes, vars),
      warmupIntervals: value(S.warmupIntervals, vars),
      storeSize: value(S.storeSize, vars),
    },
    arp: {
      learningPeriodS: value(ALERT_SETTINGS.learningPeriod, vars),
      allowMacs: read(ALERT_SETTINGS.arpAllow, vars) ?? [],
      windowS: value(ALERT_SETTINGS.arpWindow, vars),
    },
    visibility: visibilitySettings(vars),
    recording: recordingSettings(vars),
  };
}

/**
 * Resolves the daemon's configuration from `env` (normally `Deno.env.toObject()`),
 * the env file and, for unset settings, the machine.
 *
 * @param probe replaces parts of the machine probing (tests inject a fake machine)
 * @throws ConfigError for any bad or unresolvable setting
 */
export async function loadConfig(
  env: Vars,
  probe: Partial<SystemProbe> = {},
  opts: LoadConfigOptions = {},
): Promise<Config> {
  const machine: SystemProbe = { ...systemProbe, ...probe };
  const { vars, envFile } = mergedVariables(env, opts);
  const unknownVariables = Object.keys(vars).filter((k) => k.startsWith("FLINTNET_") && !KNOWN.has(k)).sort();

  let interfaces = read(S.interfaces, vars);
  if (interfaces === undefined) {
    const iface = machine.defaultRouteInterface();
    if (iface === undefined) {
      const names = machine.interfaceNames();
      throw new ConfigError(
        `no default route to pick an interface from: set ${S.interfaces.name} to ` +
          (names.length ? `one of: ${names.join(", ")}` : "the interface to watch"),
        S.interfaces.name,
      );
    }
    interfaces = [iface];
  }
  let cidrs = read(S.cidrs, vars);
  if (cidrs === undefined) {
    const net = machine.interfaceIPv4Network(interfaces[0]);
    cidrs = net === undefined ? [] : [net];
  }
  const detector = detectorSettings(vars);
  const apiToken = read(S.apiToken, vars);
  const tls = tlsSettings(vars);
  const common = {
    interfaces,
    interfaceWait: value(S.interfaceWait, vars),
    cidrs,
    listen: value(S.listen, vars),
    http: httpSettings(vars),
    ...(apiToken === undefined ? {} : { apiToken }),
    corsOrigins: read(S.corsOrigins, vars) ?? [],
    metricsPublic: value(S.metricsPublic, vars),
    ...(tls === undefined ? {} : { tls }),
    bpf: value(S.bpf, vars),
    libpcap: value(S.libpcap, vars),
    snaplen: value(S.snaplen, vars),
    ringMb: value(S.ringMb, vars),
    ringStartMb: Math.min(value(S.ringStartMb, vars), value(S.ringMb, vars)),
    ...detector,
    ...snmpSettings(vars),
    traps: trapSettings(vars),
    alerts: alertSettings(vars, Deno.hostname()),
    topology: topologySettings(vars),
    ...netflowSettings(vars),
    sinks: sinkSettings(vars, Deno.hostname()),
    envFile,
    unknownVariables,
  };
  // Probed last: a bad value elsewhere should not leave a freshly created directory behind.
  let stateDir = read(S.stateDir, vars);
  if (stateDir === undefined) {
    try {
      stateDir = await machine.chooseStateDir(vars);
    } catch (err) {
      throw new ConfigError(err instanceof Error ? err.message : String(err), S.stateDir.name);
    }
  }
  return { ...common, stateDir };
}

/**
 * Resolves only the flow-timeout and detector settings (environment over env
 * file), without probing interfaces or the state directory: what `flintnet
 * replay` needs to detect exactly as the daemon would.
 *
 * @throws ConfigError for a bad value of one of those settings
 */
export function loadDetectorConfig(env: Vars, opts: LoadConfigOptions = {}): DetectorConfig {
  return detectorSettings(mergedVariables(env, opts).vars);
}
