/**
 * Mute rules: "say nothing about this device / this kind / this type until then" — for a maintenance
 * window, or a known noisy box. A muted alert is still recorded in the history (muted = 1); delivery
 * asks isMuted() and stays quiet. Rules live in the history's SQLite file (table mutes), so they survive
 * a restart, and in memory, so isMuted() costs no query per alert.
 */
import type { DatabaseSync, StatementSync } from "node:sqlite";
import type { AlertEvent } from "../events/mod.ts";
import { alertIps, type AlertKind, alertType, type HistoryDb } from "../store/mod.ts";

/** A mute rule. Every member given must match the alert; at least one of mac, ip, kind, type is given. */
export interface MuteRule {
  /** Its id (never reused). */
  id: number;
  /** The alert's MAC (security alerts), lower case with colons. */
  mac?: string;
  /** One of the alert's addresses: security ip, anomaly src_ip or dst_ip, trap source_ip. */
  ip?: string;
  /** The alert's kind. */
  kind?: AlertKind;
  /** The alert's type (rogue_device, traffic_spike, linkDown…). */
  type?: string;
  /** When the rule ends, ms since the epoch. */
  until: number;
  /** Why, for the people who read the list. */
  reason?: string;
  /** When it was made, ms since the epoch. */
  created_at: number;
}

/** A rule to add: what the API accepted. */
export type NewMute = Omit<MuteRule, "id" | "created_at">;

/** Options for Mutes. */
export interface MutesOptions {
  /**
   * Active rules at most; add() refuses more (each alert is checked against every rule).
   * @default 1000
   */
  maxRules?: number;
}

interface Row {
  id: number;
  mac: string | null;
  ip: string | null;
  kind: AlertKind | null;
  type: string | null;
  until: number;
  reason: string | null;
  created_at: number;
}

/** The mute rules, persisted in the history file. */
export class Mutes {
  /** The most active rules add() accepts. */
  readonly maxRules: number;
  #db: DatabaseSync;
  #rules: MuteRule[];
  #insert: StatementSync;
  #delete: StatementSync;

  /** Loads the rules kept in `history`'s file. */
  constructor(history: HistoryDb, options: MutesOptions = {}) {
    this.maxRules = options.maxRules ?? 1000;
    this.#db = history.sqlite;
    this.#insert = this.#db.prepare(
      "INSERT INTO mutes (mac, ip, kind, type, until, reason, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.#delete = this.#db.prepare("DELETE FROM mutes WHERE id = ?");
    const rows = this.#db.prepare("SELECT * FROM mutes ORDER BY id").all() as unknown as Row[];
    this.#rules = rows.map(fromRow);
  }

  /** Stores a rule and returns it with its id; a RangeError when maxRules are active already. */
  add(rule: NewMute, nowMs: number = Date.now()): MuteRule {
    if (!(rule.mac || rule.ip || rule.kind || rule.type)) {
      throw new RangeError("a mute rule needs at least one of mac, ip, kind, type");
    }
    if (this.list(nowMs).length >= this.maxRules) {
      throw new RangeError(`${this.maxRules} mute rules are active already: remove one first`);
    }
    const mac = rule.mac?.toLowerCase();
    const r = this.#insert.run(
      mac ?? null,
      rule.ip ?? null,
      rule.kind ?? null,
      rule.type ?? null,
      rule.until,
      rule.reason ?? null,
      nowMs,
    );
    const stored = fromRow({
      id: Number(r.lastInsertRowid),
      mac: mac ?? null,
      ip: rule.ip ?? null,
      kind: rule.kind ?? null,
      type: rule.type ?? null,
      until: rule.until,
      reason: rule.reason ?? null,
      created_at: nowMs,
    });
    this.#rules.push(stored);
    return stored;
  }

  /** The rules still active at `nowMs`, oldest first (expired ones are deleted on the way). */
  list(nowMs: number = Date.now()): MuteRule[] {
    this.purgeExpired(nowMs);
    return this.#rules.map((r) => ({ ...r }));
  }

  /** The active rule with this id. */
  get(id: number, nowMs: number = Date.now()): MuteRule | undefined {
    this.purgeExpired(nowMs);
    const r = this.#rules.find((x) => x.id === id);
    return r && { ...r };
  }

  /** Deletes a rule; false when there is none with this id. */
  remove(id: number): boolean {
    const i = this.#rules.findIndex((r) => r.id === id);
    this.#delete.run(id);
    if (i < 0) return false;
    this.#rules.splice(i, 1);
    return true;
  }

  /** Whether an active rule matches the alert `e` at `nowMs`. */
  isMuted(e: AlertEvent, nowMs: number = Date.now()): boolean {
    let expired = false, muted = false;
    for (const r of this.#rules) {
      if (r.until <= nowMs) {
        expired = true;
        continue;
      }
      if (!muted && matches(r, e)) muted = true;
    }
    if (expired) this.purgeExpired(nowMs);
    return muted;
  }

  /** Deletes the rules that ended at or before `nowMs`; returns how many. */
  purgeExpired(nowMs: number = Date.now()): number {
    const before = this.#rules.length;
    if (!this.#rules.some((r) => r.until <= nowMs)) return 0;
    this.#rules = this.#rules.filter((r) => r.until > nowMs);
    this.#db.prepare("DELETE FROM mutes WHERE until <= ?").run(nowMs);
    return before - this.#rules.length;
  }

  /** Active rules held (expired ones not yet purged included). */
  get size(): number {
    return this.#rules.length;
  }
}

function matches(r: MuteRule, e: AlertEvent): boolean {
  if (r.kind !== undefined && r.kind !== e.kind) return false;
  if (r.type !== undefined && r.type !== alertType(e)) return false;
  if (r.mac !== undefined && (e.kind !== "security" || e.mac?.toLowerCase() !== r.mac)) return false;
  if (r.ip !== undefined && !alertIps(e).includes(r.ip)) return false;
  return true;
}

function fromRow(row: Row): MuteRule {
  const r: MuteRule = { id: row.id, until: row.until, created_at: row.created_at };
  if (row.mac !== null) r.mac = row.mac;
  if (row.ip !== null) r.ip = row.ip;
  if (row.kind !== null) r.kind = row.kind;
  if (row.type !== null) r.type = row.type;
  if (row.reason !== null) r.reason = row.reason;
  return r;
}
