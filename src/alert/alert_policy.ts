/**
 * The alert settings a person may change while Flintnet runs (`GET/PUT /config/alerts`): the anomaly
 * detector's thresholds, the cooldown, the rogue-device learning period, and which kinds of alert go to
 * which channel.
 *
 * The environment (FLINTNET_ANOMALY_K …) gives the defaults; what was changed through the API is kept in
 * `<stateDir>/alert-policy.json` as the accumulated patch, not the whole policy, so a setting never
 * touched through the API keeps following the environment across restarts.
 *
 * The policy is API JSON, so its members are snake_case like every other Flintnet document, in the
 * TypeScript interface too: the only camelCase side is {@link AlertPolicyDefaults} (the configuration's
 * names), converted in {@link defaultAlertPolicy} alone.
 */
import { createLogger, type Logger, writeFileAtomic } from "../base/mod.ts";
import { SECURITY_EVENT_TYPES, type SecurityEventType } from "../events/mod.ts";

/**
 * What a route is keyed by: the security event type, or "anomaly", "trap" or "advisory". (Not the alert's kind in
 * src/store/alert_row.ts, which files every security event under "security".)
 */
export type RouteKind = SecurityEventType | "anomaly" | "trap" | "advisory";

/** Where an alert can go. */
export type AlertChannel = "email" | "webhook";

/** The routable kinds, in the order the API lists them. */
export const ROUTE_KINDS: readonly RouteKind[] = [...SECURITY_EVENT_TYPES, "anomaly", "trap", "advisory"];

/** The channels there are. */
export const ALERT_CHANNELS: readonly AlertChannel[] = ["email", "webhook"];

/** Thresholds of the anomaly detector (flows, hosts, subnets). */
export interface AnomalyPolicy {
  /** Spreads (σ of log-volume) above the baseline an anomaly needs (0 < k ≤ 100). */
  k: number;
  /** Times the baseline an anomaly needs (1.5 … 1000). */
  ratio: number;
  /** Intervals with traffic a flow, host or subnet is learned for before it may alert (1 … 100,000). */
  warmup_intervals: number;
  /** Intervals with fewer bytes never alert. */
  min_bytes: number;
}

/** The runtime-editable alert settings. */
export interface AlertPolicy {
  /** Anomaly detector thresholds. */
  anomaly: AnomalyPolicy;
  /** Seconds during which a repeat of the same alert (same device or flow, same type) is not sent; 0: off. */
  cooldown_s: number;
  /** Seconds after start during which new devices are learned quietly instead of reported as rogue. */
  learning_period_s: number;
  /** Which channels each kind of alert goes to (empty: none). */
  routes: Record<RouteKind, AlertChannel[]>;
}

/** The environment's settings that replace the built-in policy's (the configuration's camelCase names). */
export interface AlertPolicyDefaults {
  /** Anomaly thresholds (FLINTNET_ANOMALY_*). */
  anomaly?: { k?: number; ratio?: number; warmupIntervals?: number; minBytes?: number };
  /** FLINTNET_ALERT_COOLDOWN, seconds. */
  cooldownS?: number;
  /** FLINTNET_LEARNING_PERIOD, seconds. */
  learningPeriodS?: number;
}

/** Longest cooldown accepted: one day. */
export const MAX_COOLDOWN_S = 86_400;
/** Longest learning period accepted: 365 days. */
export const MAX_LEARNING_PERIOD_S = 365 * 86_400;

/** The built-in policy; `overrides` (from the environment) replace its thresholds. */
export function defaultAlertPolicy(overrides: AlertPolicyDefaults = {}): AlertPolicy {
  const a = overrides.anomaly ?? {};
  return {
    anomaly: {
      k: a.k ?? 4,
      ratio: a.ratio ?? 4,
      warmup_intervals: a.warmupIntervals ?? 30,
      min_bytes: a.minBytes ?? 1_000_000,
    },
    cooldown_s: overrides.cooldownS ?? 300,
    learning_period_s: overrides.learningPeriodS ?? 86_400,
    routes: {
      rogue_device: ["email", "webhook"],
      arp_spoof: ["email", "webhook"],
      mac_spoof: ["email", "webhook"],
      duplicate_ip: ["email", "webhook"],
      blocklisted: ["email", "webhook"],
      anomaly: ["email", "webhook"],
      trap: [],
      advisory: ["email", "webhook"],
    },
  };
}

/** A patch that cannot be applied: `field` is the dotted path at fault, the message says why. */
export class PolicyError extends Error {
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.name = "PolicyError";
    this.field = field;
  }
}

function show(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? v.slice(0, 40) + "…" : v);
  if (Array.isArray(v)) return "an array";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return String(v);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const where = prefix ? `${prefix}.${key}` : key;
      throw new PolicyError(
        where,
        `${where} is not a setting; accepted${prefix ? ` in ${prefix}` : ""}: ${allowed.join(", ")}`,
      );
    }
  }
}

function number(
  field: string,
  v: unknown,
  min: number,
  max: number,
  opts: { integer: boolean; minOpen?: boolean },
): number {
  const ok = typeof v === "number" && Number.isFinite(v) && (opts.integer ? Number.isSafeInteger(v) : true) &&
    (opts.minOpen ? v > min : v >= min) && v <= max;
  if (!ok) {
    const what = opts.integer ? "a whole number" : "a number";
    const range = opts.minOpen ? `greater than ${min} and at most ${max}` : `from ${min} to ${max}`;
    throw new PolicyError(field, `${field} must be ${what} ${range}, got ${show(v)}`);
  }
  return v as number;
}

function channels(field: string, v: unknown): AlertChannel[] {
  if (!Array.isArray(v)) {
    throw new PolicyError(
      field,
      `${field} must be an array of channels (${ALERT_CHANNELS.join(", ")}), got ${show(v)}`,
    );
  }
  const out: AlertChannel[] = [];
  for (const c of v) {
    if (!ALERT_CHANNELS.includes(c as AlertChannel)) {
      throw new PolicyError(
        field,
        `${field} holds ${show(c)}, which is not a channel; accepted: ${ALERT_CHANNELS.join(", ")}`,
      );
    }
    if (out.includes(c as AlertChannel)) throw new PolicyError(field, `${field} lists ${show(c)} twice`);
    out.push(c as AlertChannel);
  }
  return out;
}

/**
 * Applies a JSON merge patch (RFC 7396: only the members given change; arrays are replaced whole) to
 * `current` and returns the new policy, or throws a {@link PolicyError} naming the field, the value and
 * what is accepted. Unknown members and `null` are refused: a typo must not be silently ignored.
 */
export function validatePolicyPatch(json: unknown, current: AlertPolicy): AlertPolicy {
  if (!isObject(json)) throw new PolicyError("body", `the body must be a JSON object, got ${show(json)}`);
  checkKeys(json, ["anomaly", "cooldown_s", "learning_period_s", "routes"], "");
  const next = structuredClone(current);
  if (json.anomaly !== undefined) {
    const a = json.anomaly;
    if (!isObject(a)) throw new PolicyError("anomaly", `anomaly must be an object, got ${show(a)}`);
    checkKeys(a, ["k", "ratio", "warmup_intervals", "min_bytes"], "anomaly");
    if (a.k !== undefined) {
      next.anomaly.k = number("anomaly.k", a.k, 0, 100, { integer: false, minOpen: true });
    }
    if (a.ratio !== undefined) {
      next.anomaly.ratio = number("anomaly.ratio", a.ratio, 1.5, 1000, { integer: false });
    }
    if (a.warmup_intervals !== undefined) {
      next.anomaly.warmup_intervals = number("anomaly.warmup_intervals", a.warmup_intervals, 1, 100_000, {
        integer: true,
      });
    }
    if (a.min_bytes !== undefined) {
      next.anomaly.min_bytes = number("anomaly.min_bytes", a.min_bytes, 0, Number.MAX_SAFE_INTEGER, {
        integer: true,
      });
    }
  }
  if (json.cooldown_s !== undefined) {
    next.cooldown_s = number("cooldown_s", json.cooldown_s, 0, MAX_COOLDOWN_S, { integer: true });
  }
  if (json.learning_period_s !== undefined) {
    next.learning_period_s = number("learning_period_s", json.learning_period_s, 0, MAX_LEARNING_PERIOD_S, {
      integer: true,
    });
  }
  if (json.routes !== undefined) {
    const r = json.routes;
    if (!isObject(r)) {
      throw new PolicyError("routes", `routes must be an object keyed by alert kind, got ${show(r)}`);
    }
    checkKeys(r, ROUTE_KINDS, "routes");
    for (const kind of ROUTE_KINDS) {
      if (r[kind] !== undefined) next.routes[kind] = channels(`routes.${kind}`, r[kind]);
    }
  }
  return next;
}

/** RFC 7396 merge of two patches: `b`'s members win, objects merge, everything else is replaced. */
function mergePatches(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = isObject(v) && isObject(out[k]) ? mergePatches(out[k] as Record<string, unknown>, v) : v;
  }
  return out;
}

/** What {@link AlertPolicyStore.load} found. */
export interface PolicyLoadResult {
  /** "defaults": no file; "loaded": the file applied; "corrupt": the file was unusable and moved aside. */
  status: "defaults" | "loaded" | "corrupt";
  /** For corrupt: where the file now is, and why it was refused. */
  movedTo?: string;
  /** For corrupt: the reason in words. */
  reason?: string;
}

/** Options of {@link AlertPolicyStore}. */
export interface AlertPolicyStoreOptions {
  /** The state directory; the file is `<stateDir>/alert-policy.json`. */
  stateDir: string;
  /** The policy before any API change (the environment's settings). @default defaultAlertPolicy() */
  defaults?: AlertPolicy;
  /** @default createLogger("alert") */
  log?: Logger;
}

/** File layout version: a file from a newer Flintnet is refused rather than half understood. */
const FILE_VERSION = 1;

/** The current policy, persisted, with change listeners (the detectors and delivery re-read it). */
export class AlertPolicyStore {
  readonly path: string;
  #defaults: AlertPolicy;
  #patch: Record<string, unknown> = {};
  #policy: AlertPolicy;
  #listeners = new Set<(p: AlertPolicy) => void>();
  #log: Logger;
  #writing: Promise<unknown> = Promise.resolve();

  constructor(o: AlertPolicyStoreOptions) {
    this.path = `${o.stateDir.replace(/\/+$/, "")}/alert-policy.json`;
    this.#defaults = structuredClone(o.defaults ?? defaultAlertPolicy());
    this.#policy = structuredClone(this.#defaults);
    this.#log = o.log ?? createLogger("alert");
  }

  /** Reads the persisted changes; a corrupt or invalid file is moved aside and the defaults apply. */
  async load(): Promise<PolicyLoadResult> {
    let text: string;
    try {
      text = await Deno.readTextFile(this.path);
    } catch (err) {
      if (err instanceof Deno.errors.NotFound) return { status: "defaults" };
      throw err;
    }
    try {
      const doc = JSON.parse(text);
      if (!isObject(doc) || doc.version !== FILE_VERSION || !isObject(doc.patch)) {
        throw new Error(`expected {"version": ${FILE_VERSION}, "patch": {…}}`);
      }
      this.#policy = validatePolicyPatch(doc.patch, this.#defaults);
      this.#patch = doc.patch;
      this.#notify();
      return { status: "loaded" };
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      const movedTo = `${this.path}.corrupt-${Date.now()}`;
      await Deno.rename(this.path, movedTo);
      this.#log.error("alert policy file is unusable: moved aside, using the defaults", {
        path: this.path,
        moved_to: movedTo,
        reason,
      });
      return { status: "corrupt", movedTo, reason };
    }
  }

  /** The policy in force (a copy: change it through {@link update}). */
  get(): AlertPolicy {
    return structuredClone(this.#policy);
  }

  /**
   * Validates `patch` (throws {@link PolicyError}), persists it, then applies it and tells the
   * listeners. Nothing changes when validation or the write fails.
   */
  update(patch: unknown): Promise<AlertPolicy> {
    const run = async () => {
      const next = validatePolicyPatch(patch, this.#policy);
      const merged = mergePatches(this.#patch, patch as Record<string, unknown>);
      const doc = { version: FILE_VERSION, patch: merged };
      await writeFileAtomic(this.path, JSON.stringify(doc, null, 2) + "\n", { mode: 0o600 });
      this.#patch = merged;
      this.#policy = next;
      this.#notify();
      return this.get();
    };
    // One write at a time, in order, so the file always holds the last accepted patch.
    const p = this.#writing.then(run, run);
    this.#writing = p.catch(() => {});
    return p;
  }

  /** Calls `fn` with the new policy after every change; returns a function that stops it. */
  onChange(fn: (p: AlertPolicy) => void): () => void {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  #notify(): void {
    for (const fn of this.#listeners) {
      try {
        fn(this.get());
      } catch (err) {
        this.#log.error("alert policy listener failed", { error: err });
      }
    }
  }
}
