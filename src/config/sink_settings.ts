/**
 * The FLINTNET_* settings of the optional sinks (src/sinks/): ClickHouse over HTTP for flows and events,
 * InfluxDB line protocol over HTTP for time series, and the site label every row and series carries.
 * Every sink is off until its URL is set.
 */
import { duration, intRange, type Parser, Rejected } from "./parsers.ts";
import { read, setting, value, type Vars } from "./setting.ts";

/** Where one HTTP sink writes. */
export interface HttpSinkTarget {
  /** Base URL (scheme, host, port, optional path), without credentials. */
  url: string;
  /** Database name. */
  database: string;
  /** User, when the server wants one. */
  user: string | null;
  /** Password or token; never logged. */
  secret: string | null;
}

/** Resolved sink settings. */
export interface SinkConfig {
  /** The label on every row and series: which site this Flintnet watches. */
  site: string;
  /** ClickHouse, or null when off. */
  clickhouse: HttpSinkTarget | null;
  /** InfluxDB, or null when off. */
  influx: HttpSinkTarget | null;
  /** Seconds between batches. */
  intervalS: number;
  /** Bytes each sink may keep on disk while its server cannot be reached. */
  bufferBytes: number;
  /** Flows per minute written to ClickHouse (the busiest); the rest are counted as left out. */
  flowsPerMinute: number;
}

/** An http(s) URL without credentials in it (they go into their own, secret, settings). */
const httpUrl: Parser<string> = {
  accepted: "an http:// or https:// URL (e.g. http://10.0.0.5:8123), without user or password in it",
  parse(text) {
    let u: URL;
    try {
      u = new URL(text);
    } catch {
      throw new Rejected("");
    }
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw new Rejected(`${u.protocol} is not http or https`);
    }
    if (u.username || u.password) throw new Rejected("credentials go into their own setting");
    return u.href.replace(/\/+$/, "");
  },
  format: (v) => v,
};

const name: Parser<string> = {
  accepted: "1 to 64 letters, digits, _ or - (a database name)",
  parse(text) {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(text)) throw new Rejected("");
    return text;
  },
  format: (v) => v,
};

const label: Parser<string> = {
  accepted: "1 to 64 letters, digits, . _ or -",
  parse(text) {
    if (!/^[A-Za-z0-9._-]{1,64}$/.test(text)) throw new Rejected("");
    return text;
  },
  format: (v) => v,
};

const anyText: Parser<string> = {
  accepted: "any text without control characters",
  parse(text) {
    // deno-lint-ignore no-control-regex
    if (/[\x00-\x1f\x7f]/.test(text)) throw new Rejected("");
    return text;
  },
  format: (v) => v,
};

/** The settings table rows of this file, in `--help` order. */
export const SINK_SETTINGS = {
  site: setting({
    name: "FLINTNET_SITE",
    description: "The site label on every row and series the sinks write (one Flintnet per site).",
    parser: label,
    defaultText: "this machine's host name",
  }),
  clickhouseUrl: setting({
    name: "FLINTNET_CLICKHOUSE_URL",
    description:
      "ClickHouse HTTP interface for per-minute flow summaries and events (anomalies, security, traps); " +
      "the tables are created on first use. Unset: off.",
    parser: httpUrl,
    defaultText: "off",
  }),
  clickhouseDatabase: setting({
    name: "FLINTNET_CLICKHOUSE_DATABASE",
    description: "ClickHouse database for Flintnet's tables (created when missing).",
    parser: name,
    fallback: "flintnet",
  }),
  clickhouseUser: setting({
    name: "FLINTNET_CLICKHOUSE_USER",
    description: "ClickHouse user.",
    parser: anyText,
    defaultText: "the server's default user",
  }),
  clickhousePassword: setting({
    name: "FLINTNET_CLICKHOUSE_PASSWORD",
    description: "ClickHouse password.",
    parser: anyText,
    defaultText: "none",
    secret: true,
  }),
  influxUrl: setting({
    name: "FLINTNET_INFLUX_URL",
    description: "InfluxDB for time series (capture rates, interface utilisation, per-host bytes) as " +
      "line protocol to its /write endpoint. Unset: off.",
    parser: httpUrl,
    defaultText: "off",
  }),
  influxDatabase: setting({
    name: "FLINTNET_INFLUX_DATABASE",
    description: "InfluxDB database (1.x) or bucket (2.x through its /write compatibility endpoint).",
    parser: name,
    fallback: "flintnet",
  }),
  influxToken: setting({
    name: "FLINTNET_INFLUX_TOKEN",
    description: "InfluxDB token, sent as Authorization: Token … (2.x, or 1.x with user:password).",
    parser: anyText,
    defaultText: "none",
    secret: true,
  }),
  interval: setting({
    name: "FLINTNET_SINK_INTERVAL",
    description:
      "How often the sinks send what accumulated (flow summaries are per minute whatever this is).",
    parser: duration(1, 3600),
    fallback: 10,
  }),
  flowsPerMinute: setting({
    name: "FLINTNET_SINK_FLOWS_PER_MINUTE",
    description: "Flows per minute written to ClickHouse, the busiest by bytes first; the rest are counted " +
      "(sinks.flows_left_out in /stats).",
    parser: intRange(1, 1_000_000),
    fallback: 10_000,
  }),
  bufferMb: setting({
    name: "FLINTNET_SINK_BUFFER_MB",
    description: "MiB each sink keeps on disk (state dir, sinks/) while its server is unreachable; beyond, " +
      "the oldest batches are dropped and counted.",
    parser: intRange(1, 10_240),
    fallback: 64,
  }),
};

/** Reads the sink settings; `hostname` is the default site label. */
export function sinkSettings(vars: Vars, hostname: string): SinkConfig {
  const S = SINK_SETTINGS;
  const ch = read(S.clickhouseUrl, vars), influx = read(S.influxUrl, vars);
  return {
    site: read(S.site, vars) ?? (hostname.replace(/[^A-Za-z0-9._-]/g, "-").slice(0, 64) || "site"),
    clickhouse: ch === undefined ? null : {
      url: ch,
      database: value(S.clickhouseDatabase, vars),
      user: read(S.clickhouseUser, vars) ?? null,
      secret: read(S.clickhousePassword, vars) ?? null,
    },
    influx: influx === undefined ? null : {
      url: influx,
      database: value(S.influxDatabase, vars),
      user: null,
      secret: read(S.influxToken, vars) ?? null,
    },
    intervalS: value(S.interval, vars),
    bufferBytes: value(S.bufferMb, vars) * 1024 * 1024,
    flowsPerMinute: value(S.flowsPerMinute, vars),
  };
}
