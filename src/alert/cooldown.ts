/**
 * Alert cooldown: the first alert for a key goes out, repeats within the cooldown are held back and
 * counted, and the next alert that goes out says how many were held back.
 *
 * A key is one thing a person would call "the same alert": the device (MAC, else IP) and the event type
 * for security events, the subject (flow, host or subnet, and direction) for anomalies, the agent and trap
 * OID for traps, the type and subject for advisories.
 */
import type { AlertEvent } from "../events/mod.ts";

/** The cooldown key of an event. */
export function cooldownKey(e: AlertEvent): string {
  switch (e.kind) {
    case "security":
      return `security|${e.type}|${e.mac || e.ip}`;
    case "anomaly":
      return `anomaly|${e.scope}|${e.direction}|${e.subject}`;
    case "trap":
      return `trap|${e.source_ip}|${e.trap_oid}`;
    case "advisory":
      return `advisory|${e.type}|${e.subject}`;
  }
}

/** Alerts held back for one key since the last one that went out. */
export interface Suppressed {
  /** How many. */
  count: number;
  /** When the alert before the one just admitted went out (the held-back ones came after it), ms since the epoch. */
  sinceMs: number;
}

/** Options of {@link Cooldown}. */
export interface CooldownOptions {
  /** The cooldown in milliseconds; 0 admits everything. */
  cooldownMs: number;
  /**
   * Most keys remembered; past it the least recently admitted key is forgotten (its held-back count is
   * lost and counted in `forgottenSuppressed`), so a flood of distinct flows cannot grow memory.
   * @default 100_000
   */
  maxKeys?: number;
  /**
   * How long a key with held-back alerts is remembered after its last admitted alert, waiting for the
   * next one to carry the count. @default max(cooldown, 24 h)
   */
  retainSuppressedMs?: number;
}

interface Entry {
  /** The last admitted alert. */
  admittedMs: number;
  /** The one admitted before it (the start of the window the suppressed count covers). */
  previousMs: number;
  suppressed: number;
}

/** Per-key cooldown with suppressed-alert counts. */
export class Cooldown {
  #cooldownMs: number;
  #maxKeys: number;
  #retainMs: number | undefined;
  // Insertion order is admission order (an admitted key is re-inserted), so expiry scans from the front.
  #entries = new Map<string, Entry>();
  #lastSweepMs = -Infinity;
  #forgotten = 0;

  constructor(o: CooldownOptions) {
    this.#cooldownMs = checkMs("cooldownMs", o.cooldownMs);
    this.#maxKeys = o.maxKeys ?? 100_000;
    if (!Number.isSafeInteger(this.#maxKeys) || this.#maxKeys < 1) {
      throw new RangeError(`maxKeys must be a whole number of at least 1, got ${o.maxKeys}`);
    }
    this.#retainMs = o.retainSuppressedMs === undefined
      ? undefined
      : checkMs("retainSuppressedMs", o.retainSuppressedMs);
  }

  /** The cooldown in ms. */
  get cooldownMs(): number {
    return this.#cooldownMs;
  }

  /** Changes the cooldown (the alert policy was edited); applies to every key from now on. */
  set cooldownMs(ms: number) {
    this.#cooldownMs = checkMs("cooldownMs", ms);
  }

  /** Keys remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Held-back alerts whose count was lost because their key was forgotten (memory bound or age). */
  get forgottenSuppressed(): number {
    return this.#forgotten;
  }

  /**
   * True when an alert for `key` at `nowMs` should go out (and starts a new cooldown for it); false when
   * it falls within the cooldown, in which case it is counted for {@link takeSuppressed}.
   */
  admit(key: string, nowMs: number): boolean {
    this.#sweep(nowMs);
    const e = this.#entries.get(key);
    if (e !== undefined && nowMs - e.admittedMs < this.#cooldownMs) {
      e.suppressed++;
      return false;
    }
    this.#entries.delete(key);
    this.#entries.set(key, {
      admittedMs: nowMs,
      previousMs: e?.admittedMs ?? nowMs,
      suppressed: e?.suppressed ?? 0,
    });
    while (this.#entries.size > this.#maxKeys) {
      const [oldest, entry] = this.#entries.entries().next().value!;
      this.#forgotten += entry.suppressed;
      this.#entries.delete(oldest);
    }
    return true;
  }

  /**
   * The alerts held back for `key` before the one just admitted, and resets the count. Call right after
   * `admit()` returned true, so the message that goes out can mention them. Null when there were none.
   */
  takeSuppressed(key: string): Suppressed | null {
    const e = this.#entries.get(key);
    if (e === undefined || e.suppressed === 0) return null;
    const out = { count: e.suppressed, sinceMs: e.previousMs };
    e.suppressed = 0;
    return out;
  }

  /** Forgets keys whose cooldown is over and that hold nothing back; at most once per cooldown. */
  #sweep(nowMs: number): void {
    const every = Math.max(this.#cooldownMs, 1000);
    if (nowMs - this.#lastSweepMs < every) return;
    this.#lastSweepMs = nowMs;
    const retain = this.#retainMs ?? Math.max(this.#cooldownMs, 86_400_000);
    for (const [key, e] of this.#entries) {
      const age = nowMs - e.admittedMs;
      if (age < this.#cooldownMs) break; // admission order: everything after is younger
      if (e.suppressed === 0) this.#entries.delete(key);
      else if (age >= retain) {
        this.#forgotten += e.suppressed;
        this.#entries.delete(key);
      }
    }
  }
}

function checkMs(name: string, ms: number): number {
  if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`${name} must be a number of ms ≥ 0, got ${ms}`);
  return ms;
}
