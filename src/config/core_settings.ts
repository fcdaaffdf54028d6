/**
 * The FLINTNET_* settings of the daemon's core: where it captures and listens, its state, the flow
 * table and the anomaly detector. config.ts reads them; `flintnet --help` lists them first.
 */
import {
  absolutePath,
  apiToken,
  boolean,
  bpfFilter,
  cidrList,
  duration,
  filePath,
  hostPort,
  interfaceList,
  intRange,
  numberRange,
  oneOf,
  originList,
  pemFile,
  positiveNumber,
  sharedLibrary,
} from "./parsers.ts";
import { setting } from "./setting.ts";
import { LOG_LEVELS, type LogLevel } from "../base/mod.ts";

/** Where the env file is looked for when FLINTNET_ENV_FILE is not set. */
export const DEFAULT_ENV_FILE = "/etc/flintnet/flintnet.env";

/** The settings table rows of the core, in `--help` order. */
export const CORE_SETTINGS = {
  envFile: setting({
    name: "FLINTNET_ENV_FILE",
    description:
      "Env file with FLINTNET_* settings; the real environment wins over it. /dev/null reads none.",
    parser: filePath,
    defaultText: `${DEFAULT_ENV_FILE} if it exists`,
  }),
  interfaces: setting({
    name: "FLINTNET_INTERFACE",
    description: "Network interfaces to capture on.",
    parser: interfaceList,
    defaultText: "the interface of the default route",
  }),
  interfaceWait: setting({
    name: "FLINTNET_INTERFACE_WAIT",
    description: "1 starts even when a FLINTNET_INTERFACE does not exist yet and captures once it appears " +
      "(a VLAN or USB adapter that comes up late); 0 stops start-up with an error naming it.",
    parser: boolean,
    fallback: false,
  }),
  cidrs: setting({
    name: "FLINTNET_CIDR",
    description: "Local networks: devices here are inventoried and swept; host bits are cleared.",
    parser: cidrList,
    defaultText: "the IPv4 network of the first interface",
  }),
  listen: setting({
    name: "FLINTNET_LISTEN",
    description: "Address and port of the HTTP API and dashboard.",
    parser: hostPort,
    fallback: { hostname: "0.0.0.0", port: 8480 },
  }),
  apiToken: setting({
    name: "FLINTNET_API_TOKEN",
    description: "Bearer token for the API. Unset: a random token is kept in <state dir>/api-token.",
    parser: apiToken,
    defaultText: "generated into <state dir>/api-token",
    secret: true,
  }),
  corsOrigins: setting({
    name: "FLINTNET_CORS_ORIGINS",
    description: "Web pages (origins) allowed to call the API from a browser, e.g. a dashboard on another " +
      "agent.",
    parser: originList,
    defaultText: "none (cross-origin requests are refused)",
  }),
  metricsPublic: setting({
    name: "FLINTNET_METRICS_PUBLIC",
    description: "1 serves GET /metrics without the API token; 0 requires it like every other route.",
    parser: boolean,
    fallback: false,
  }),
  tlsCert: setting({
    name: "FLINTNET_TLS_CERT",
    description: "Certificate chain (PEM) for HTTPS; set together with FLINTNET_TLS_KEY.",
    parser: pemFile,
    defaultText: "none (plain HTTP)",
  }),
  tlsKey: setting({
    name: "FLINTNET_TLS_KEY",
    description: "Private key (PEM) for HTTPS; set together with FLINTNET_TLS_CERT.",
    parser: pemFile,
    defaultText: "none (plain HTTP)",
  }),
  stateDir: setting({
    name: "FLINTNET_STATE_DIR",
    description: "Directory for devices, history and the API token.",
    parser: absolutePath,
    defaultText: "/var/lib/flintnet if writable, else $XDG_STATE_HOME/flintnet, else ~/.local/state/flintnet",
  }),
  logLevel: setting({
    name: "FLINTNET_LOG_LEVEL",
    description: "Least severe log level written (JSON lines on stderr).",
    parser: oneOf(LOG_LEVELS),
    fallback: "info" as LogLevel,
  }),
  maxFlows: setting({
    name: "FLINTNET_MAX_FLOWS",
    description: "Flow table capacity; when full, the oldest idle flows are evicted.",
    parser: intRange(1000, 50_000_000),
    fallback: 1_000_000,
  }),
  bpf: setting({
    name: "FLINTNET_BPF",
    description: 'Capture filter, e.g. "not port 22".',
    parser: bpfFilter,
    fallback: "",
  }),
  libpcap: setting({
    name: "FLINTNET_LIBPCAP",
    description: "The libpcap library that compiles FLINTNET_BPF (Debian: package libpcap0.8).",
    parser: sharedLibrary,
    fallback: "libpcap.so.0.8",
  }),
  snaplen: setting({
    name: "FLINTNET_SNAPLEN",
    description: "Bytes captured per packet (headers are enough for flows).",
    parser: intRange(64, 65535),
    fallback: 256,
  }),
  ringMb: setting({
    name: "FLINTNET_CAPTURE_RING_MB",
    description: "Largest AF_PACKET ring per interface in MiB; bigger rides out bursts.",
    parser: intRange(2, 2048),
    fallback: 64,
  }),
  ringStartMb: setting({
    name: "FLINTNET_CAPTURE_RING_START_MB",
    description: "AF_PACKET ring size at start in MiB; it is re-opened larger (×4, up to " +
      "FLINTNET_CAPTURE_RING_MB, no frame lost) as soon as it holds less than 2 s of traffic, and " +
      "again whenever it fills half-way; it shrinks back after 5 quiet minutes. " +
      "Set it to FLINTNET_CAPTURE_RING_MB for a fixed ring.",
    parser: intRange(2, 2048),
    fallback: 4,
  }),
  flowIdleTimeoutS: setting({
    name: "FLINTNET_FLOW_IDLE_TIMEOUT",
    description: "A flow without packets for this long ends.",
    parser: duration(1, 86400),
    fallback: 120,
  }),
  flowActiveTimeoutS: setting({
    name: "FLINTNET_FLOW_ACTIVE_TIMEOUT",
    description: "A long-lived flow is reported and restarted after this long; at least the idle timeout.",
    parser: duration(1, 604800),
    fallback: 1800,
    defaultText: "30m, or the idle timeout if that is longer",
  }),
  anomalyIntervalS: setting({
    name: "FLINTNET_ANOMALY_INTERVAL",
    description: "How often each flow's rate is compared with its learned baseline.",
    parser: duration(1, 3600),
    fallback: 10,
  }),
  alpha: setting({
    name: "FLINTNET_EWMA_ALPHA",
    description: "Baseline smoothing: weight of the newest interval (small = slow to learn).",
    parser: positiveNumber(1),
    fallback: 0.1,
  }),
  k: setting({
    name: "FLINTNET_ANOMALY_K",
    description: "Spreads (σ of log-volume) above its baseline an interval must be to be an anomaly.",
    parser: positiveNumber(100),
    fallback: 4,
  }),
  ratio: setting({
    name: "FLINTNET_ANOMALY_RATIO",
    description: "Times its baseline an interval must carry to be an anomaly (a rise lasting minutes: the " +
      "square root, once the hours of the day are learned).",
    parser: numberRange(1.5, 1000),
    fallback: 4,
  }),
  minBytes: setting({
    name: "FLINTNET_ANOMALY_MIN_BYTES",
    description: "Intervals with fewer bytes never alert.",
    parser: intRange(0),
    fallback: 1_000_000,
  }),
  warmupIntervals: setting({
    name: "FLINTNET_ANOMALY_WARMUP",
    description: "Intervals with traffic a flow, host or subnet is learned for before it may alert.",
    parser: intRange(1, 100000),
    fallback: 30,
  }),
  storeSize: setting({
    name: "FLINTNET_ANOMALY_STORE_SIZE",
    description: "Anomalies kept for the API.",
    parser: intRange(10, 1000000),
    fallback: 10000,
  }),
};
