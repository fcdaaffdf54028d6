/**
 * A small metrics registry rendering the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): counters, gauges
 * and histograms with labels, plus collect hooks that copy counts kept elsewhere (capture, flow
 * table, bus) into metrics at scrape time, so nothing is updated on the packet path.
 */
import type { MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import { createLogger, Subsystems } from "../base/mod.ts";

/** Label values by label name. */
export type Labels = Readonly<Record<string, string | number>>;

/** Metric and label names as the format allows them. */
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Series kept per metric; label values come from code, but a bug must not grow memory without bound. */
const MAX_SERIES = 10_000;

const log = createLogger("metrics");

/** A sample value as the format writes it: Go's ParseFloat reads `+Inf`, `-Inf`, `NaN`. */
function formatValue(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  return String(v);
}

/** Label value escaping: backslash, double quote and line feed. */
function escapeLabel(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}

/** HELP escaping: backslash and line feed. */
function escapeHelp(v: string): string {
  return v.replaceAll("\\", "\\\\").replaceAll("\n", "\\n");
}

function labelText(names: readonly string[], values: readonly string[], extra = ""): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i])}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(",")}}` : "";
}

/** What the metric types share: name, help, label names, and series keyed by label values. */
abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: "counter" | "gauge" | "histogram";
  protected readonly series = new Map<string, { values: string[]; data: S }>();
  #warned = false;

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!METRIC_NAME.test(name)) throw new RangeError(`metric name ${JSON.stringify(name)} is not valid`);
    for (const l of labelNames) {
      if (!LABEL_NAME.test(l) || l.startsWith("__") || l === "le") {
        throw new RangeError(`label name ${JSON.stringify(l)} of ${name} is not valid`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) throw new RangeError(`${name} repeats a label name`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected abstract create(): S;

  /** The series for `labels`, created on first use; undefined past MAX_SERIES. */
  protected seriesFor(labels: Labels = {}): S | undefined {
    const values = this.labelNames.map((n) => {
      const v = labels[n];
      if (v === undefined) throw new RangeError(`${this.name} needs label ${n}`);
      return String(v);
    });
    if (Object.keys(labels).length !== values.length) {
      throw new RangeError(`${this.name} takes labels ${this.labelNames.join(", ") || "none"}`);
    }
    return this.#data(values);
  }

  #data(values: string[]): S | undefined {
    const key = values.join("\u0000");
    let s = this.series.get(key);
    if (s === undefined) {
      if (this.series.size >= MAX_SERIES) {
        if (!this.#warned) {
          log.warn("metric has too many series; new ones are dropped", { metric: this.name });
        }
        this.#warned = true;
        return undefined;
      }
      s = { values, data: this.create() };
      this.series.set(key, s);
    }
    return s.data;
  }

  /** Forgets every labelled series (for collectors whose label sets change). */
  clear(): void {
    if (this.labelNames.length > 0) this.series.clear();
  }

  /** The metric's lines, HELP and TYPE first. */
  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`);
    // An unlabelled metric always has its one series, at zero before anything happened.
    if (this.labelNames.length === 0) this.#data([]);
    for (const { values, data } of this.series.values()) this.renderSeries(out, values, data);
  }

  protected abstract renderSeries(out: string[], values: string[], data: S): void;
}

/** A count that only goes up (restarting from 0 with the process). */
export class Counter extends Metric<{ v: number }> {
  readonly type = "counter" as const;
  protected create() {
    return { v: 0 };
  }
  /** Adds `value` (≥ 0). */
  inc(value = 1, labels?: Labels): void {
    if (!(value >= 0)) throw new RangeError(`${this.name} cannot be increased by ${value}`);
    const s = this.seriesFor(labels);
    if (s) s.v += value;
  }
  /** Mirrors a count kept elsewhere (in a collect hook); it must never decrease. */
  set(value: number, labels?: Labels): void {
    const s = this.seriesFor(labels);
    if (s) s.v = value;
  }
  protected renderSeries(out: string[], values: string[], data: { v: number }): void {
    out.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(data.v)}`);
  }
}

/** A value that goes up and down. */
export class Gauge extends Metric<{ v: number }> {
  readonly type = "gauge" as const;
  protected create() {
    return { v: 0 };
  }
  /** Sets the value. */
  set(value: number, labels?: Labels): void {
    const s = this.seriesFor(labels);
    if (s) s.v = value;
  }
  /** Adds `value`. */
  inc(value = 1, labels?: Labels): void {
    const s = this.seriesFor(labels);
    if (s) s.v += value;
  }
  /** Subtracts `value`. */
  dec(value = 1, labels?: Labels): void {
    this.inc(-value, labels);
  }
  protected renderSeries(out: string[], values: string[], data: { v: number }): void {
    out.push(`${this.name}${labelText(this.labelNames, values)} ${formatValue(data.v)}`);
  }
}

interface HistogramData {
  /** Observations per bucket (not cumulative); the last slot is above the highest bound. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** Observations counted into buckets by upper bound, plus their sum and count. */
export class Histogram extends Metric<HistogramData> {
  readonly type = "histogram" as const;
  readonly buckets: readonly number[];

  constructor(name: string, help: string, buckets: readonly number[], labelNames: readonly string[]) {
    const sorted = buckets.every((b, i) => Number.isFinite(b) && (i === 0 || b > buckets[i - 1]));
    if (buckets.length === 0 || !sorted) {
      throw new RangeError(`buckets of ${name} must be finite and strictly increasing`);
    }
    super(name, help, labelNames);
    this.buckets = [...buckets];
  }

  protected create(): HistogramData {
    return { counts: new Float64Array(this.buckets.length + 1), sum: 0, count: 0 };
  }

  /** Records one observation. */
  observe(value: number, labels?: Labels): void {
    const s = this.seriesFor(labels);
    if (!s) return;
    let i = 0;
    while (i < this.buckets.length && value > this.buckets[i]) i++;
    s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  protected renderSeries(out: string[], values: string[], data: HistogramData): void {
    let cumulative = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      cumulative += data.counts[i];
      const le = `le="${formatValue(this.buckets[i])}"`;
      out.push(`${this.name}_bucket${labelText(this.labelNames, values, le)} ${cumulative}`);
    }
    out.push(`${this.name}_bucket${labelText(this.labelNames, values, 'le="+Inf"')} ${data.count}`);
    out.push(`${this.name}_sum${labelText(this.labelNames, values)} ${formatValue(data.sum)}`);
    out.push(`${this.name}_count${labelText(this.labelNames, values)} ${data.count}`);
  }
}

/** The metrics of one process, rendered in registration order. */
export class MetricsRegistry {
  #metrics = new Map<string, Metric<unknown>>();
  #collectors: { name: string; fn: () => void }[] = [];
  #timing = new Subsystems("collector");
  /** As node_exporter's node_scrape_collector_*: which part of a scrape was slow, and which failed. */
  #collectorMetrics: { duration: Gauge; success: Gauge } | undefined;

  #add<M extends Metric<unknown>>(m: M): M {
    // A histogram also owns name_bucket, name_sum and name_count.
    const taken = [...this.#metrics.values()].some((o) =>
      o.name === m.name || (o.type === "histogram" && m.name.startsWith(o.name + "_")) ||
      (m.type === "histogram" && o.name.startsWith(m.name + "_"))
    );
    if (taken) throw new Error(`metric ${m.name} is already registered`);
    this.#metrics.set(m.name, m);
    return m;
  }

  /** Registers a counter; by convention its name ends in `_total`. */
  counter(name: string, help: string, labels: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labels));
  }

  /** Registers a gauge. */
  gauge(name: string, help: string, labels: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labels));
  }

  /** Registers a histogram with the given upper bounds (`+Inf` is added). */
  histogram(
    name: string,
    help: string,
    buckets: readonly number[],
    labels: readonly string[] = [],
  ): Histogram {
    return this.#add(new Histogram(name, help, buckets, labels));
  }

  /** Adds a hook, under a name, run at every render to read values kept elsewhere into metrics. */
  collect(name: string, fn: () => void): void {
    if (this.#collectors.some((c) => c.name === name)) throw new Error(`collector ${name} is already added`);
    this.#collectorMetrics ??= {
      duration: this.gauge(
        "flintnet_collector_duration_seconds",
        "How long each metrics collector took at the last scrape.",
        ["collector"],
      ),
      success: this.gauge(
        "flintnet_collector_success",
        "1 when the collector worked at the last scrape, 0 when it failed.",
        ["collector"],
      ),
    };
    this.#collectors.push({ name, fn });
  }

  /** Each collector's runs, failures and time. */
  collectorStats(): ReturnType<Subsystems["stats"]> {
    return this.#timing.stats();
  }

  /**
   * Runs the collect hooks, each timed under its name, then renders every metric; a failing hook is
   * counted and logged by name, not fatal.
   */
  render(): string {
    for (const c of this.#collectors) this.#timing.run(c.name, c.fn);
    const m = this.#collectorMetrics;
    for (const s of m ? this.#timing.stats() : []) {
      m!.duration.set(s.last_seconds, { collector: s.name });
      m!.success.set(s.last_ok ? 1 : 0, { collector: s.name });
    }
    const out: string[] = [];
    for (const m of this.#metrics.values()) m.render(out);
    return out.join("\n") + "\n";
  }
}

/** Duration buckets in seconds: API answers are expected in milliseconds. */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);

/**
 * Middleware counting requests by method, route pattern (e.g. `/devices/:ip`, never the raw URL, so
 * label sets stay bounded; "unmatched" for 404s) and status, and timing them until the response
 * headers (a stream stays open far longer). Register it before authentication so 401s are counted.
 */
export function httpMetrics(registry: MetricsRegistry): MiddlewareHandler {
  const requests = registry.counter(
    "flintnet_http_requests_total",
    "HTTP requests answered, by method, route pattern and status.",
    ["method", "route", "status"],
  );
  const duration = registry.histogram(
    "flintnet_http_request_duration_seconds",
    "Time to answer an HTTP request, until its response headers, by method and route pattern.",
    HTTP_BUCKETS,
    ["method", "route"],
  );
  return async function httpMetrics(c, next) {
    const start = performance.now();
    let status = 500;
    try {
      await next();
      status = c.res.status;
    } finally {
      const method = METHODS.has(c.req.method) ? c.req.method : "other";
      // The handler's own route, not the middleware's "/*": the last matched route bound to a method.
      const route = matchedRoutes(c).findLast((r) => r.method !== "ALL")?.path ?? "unmatched";
      requests.inc(1, { method, route, status });
      duration.observe((performance.now() - start) / 1000, { method, route });
    }
  };
}
