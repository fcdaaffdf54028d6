/**
 * Structured diagnostics: one JSON object per line on stderr.
 *
 * stdout is reserved for command output (`flintnet replay` prints a JSON
 * document there), so every diagnostic goes to stderr, synchronously: a line
 * written just before `Deno.exit()` must not be lost, and two components
 * logging at once must never interleave halves of their lines.
 *
 * A line looks like
 * `{"ts":"2024-05-01T12:00:00.000Z","level":"info","component":"capture","msg":"ring ready","blocks":64}`.
 * Field values that are Errors become their message; a field whose key looks
 * like a credential (token, password, secret, authorization, SNMP community)
 * is written as "[redacted]" at any depth, so secrets never reach the journal.
 */

/** Severity of a log line, from most to least verbose. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** The accepted levels, most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/** Writes diagnostics for one component. */
export interface Logger {
  /** Detail useful when chasing a problem; off by default. */
  debug(msg: string, fields?: Record<string, unknown>): void;
  /** Normal operation worth a line in the journal. */
  info(msg: string, fields?: Record<string, unknown>): void;
  /** Something is wrong but Flintnet carries on. */
  warn(msg: string, fields?: Record<string, unknown>): void;
  /** Something failed and a feature is not working. */
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** Receives each finished line (JSON text without the trailing newline). */
export type LogSink = (line: string) => void;

const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
// `community` alone or as a suffix (snmp_community), but not community_id, the public flow hash.
const REDACT_KEY = /token|pass(word)?|secret|authorization|communit(y|ies)$/i;
const RESERVED_KEYS = new Set(["ts", "level", "component", "msg"]);

let minRank = RANK.info;
let sink: LogSink = writeStderr;
let encoder: TextEncoder | undefined;

/** Sets the least severe level that is written; lines below it are dropped. */
export function setLogLevel(level: LogLevel): void {
  if (!(level in RANK)) throw new RangeError(`log level "${level}" is not one of ${LOG_LEVELS.join(", ")}`);
  minRank = RANK[level];
}

/** The current minimum level. */
export function getLogLevel(): LogLevel {
  return LOG_LEVELS.find((l) => RANK[l] === minRank) ?? "info";
}

/**
 * Sends lines to `fn` instead of stderr (tests capture lines this way).
 * Pass `undefined` to restore stderr.
 */
export function setLogSink(fn: LogSink | undefined): void {
  sink = fn ?? writeStderr;
}

/** A logger whose lines carry `component` (e.g. "capture", "snmp", "http"). */
export function createLogger(component: string): Logger {
  return {
    debug: (msg, fields) => emit("debug", component, msg, fields),
    info: (msg, fields) => emit("info", component, msg, fields),
    warn: (msg, fields) => emit("warn", component, msg, fields),
    error: (msg, fields) => emit("error", component, msg, fields),
  };
}

function emit(level: LogLevel, component: string, msg: string, fields?: Record<string, unknown>): void {
  if (RANK[level] < minRank) return;
  const record: Record<string, unknown> = { ts: new Date().toISOString(), level, component, msg };
  if (fields) {
    for (const [key, value] of Object.entries(fields)) {
      // A field must not overwrite the line's own keys, but its value is still worth keeping.
      record[RESERVED_KEYS.has(key) ? `field_${key}` : key] = value;
    }
  }
  try {
    sink(serialise(record));
  } catch {
    // Logging must never take the process down (stderr closed, a test sink that throws).
  }
}

function serialise(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, replacer);
  } catch {
    // Circular structures: keep the line, mark repeated objects.
    const seen = new WeakSet<object>();
    return JSON.stringify(record, function (this: unknown, key: string, value: unknown) {
      const v = replacer.call(this, key, value);
      if (typeof v === "object" && v !== null) {
        if (seen.has(v)) return "[circular]";
        seen.add(v);
      }
      return v;
    });
  }
}

function replacer(this: unknown, key: string, value: unknown): unknown {
  if (key !== "" && REDACT_KEY.test(key)) return "[redacted]";
  if (value instanceof Error) return value.message;
  if (typeof value === "bigint") return value.toString();
  return value;
}

function writeStderr(line: string): void {
  encoder ??= new TextEncoder();
  const bytes = encoder.encode(line + "\n");
  let off = 0;
  while (off < bytes.length) off += Deno.stderr.writeSync(bytes.subarray(off));
}
