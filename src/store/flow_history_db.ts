/**
 * Warm flow history: one row per flow per minute (the minute's largest flows, by 5-tuple), and the
 * minute's sums per local host, per local subnet, per exporter interface and in total, in an embedded
 * SQLite file (node:sqlite, WAL) of its own, pruned by age and kept within a size (enforceSize). A minute is
 * written in one transaction.
 *
 * Each flow row carries a 53-bit hash of its 5-tuple (`key`), so "the top flows over an hour" groups
 * by one integer instead of five columns: that is what keeps a top-N over 600,000 rows (an hour at
 * 10,000 flows a minute) under a second (`deno task bench`).
 */
import { DatabaseSync, type StatementSync } from "node:sqlite";
import type { MinuteSummary } from "../events/mod.ts";
import { formatIp } from "../net/mod.ts";
import { FLOW_HISTORY_SCHEMA } from "./flow_history_schema.ts";
import { flowKey } from "./flow_key.ts";
import { sqliteUsedBytes } from "./sqlite_size.ts";

/** Which flows a history query returns; every member given must hold. */
export interface FlowHistoryQuery {
  /** From this time (ms since the epoch), rounded down to its minute. */
  sinceMs: number;
  /** Before this time (ms), exclusive; minutes starting before it count. */
  untilMs: number;
  /** Either side is this address (canonical text). */
  ip?: string;
  /** The source is this address. */
  srcIp?: string;
  /** The destination is this address. */
  dstIp?: string;
  /** Either side inside this IPv4 network: [first, last] as unsigned numbers. */
  v4Range?: [number, number];
  /** Either port. */
  port?: number;
  /** IP protocol. */
  protocol?: number;
  /** At least this many octets over the period. */
  minBytes?: number;
  /** Sort: octets or packets over the period, most first. */
  sort: "bytes" | "packets";
  /** Rows to skip (pages). */
  offset: number;
  /** Rows at most. */
  limit: number;
}

/** One flow over the period asked for. */
export interface HistoryFlowJson {
  src_ip: string;
  dst_ip: string;
  src_port: number;
  dst_port: number;
  protocol: number;
  /** Octets over the period (the minutes it was kept in). */
  bytes: number;
  /** Packets over the period. */
  packets: number;
  /** First packet in the period, ISO 8601. */
  first_seen: string;
  /** Last packet in the period, ISO 8601. */
  last_seen: string;
  /** Minutes of the period it was kept in. */
  minutes: number;
  /** OR of the TCP flags over the period. */
  tcp_flags: number;
  /** The NetFlow/IPFIX exporter of its latest record; null when captured. */
  exporter: string | null;
}

/** A page of history. */
export interface HistoryPage {
  flows: HistoryFlowJson[];
  /** The oldest minute the history still holds (ms), null when empty. */
  oldestMs: number | null;
}

const MINUTE_MS = 60_000;
/** Over the size bound, minutes are removed down to this share of it (as the alert history's bound does). */
const SIZE_LOW_WATER = 0.9;
/** Deletes, each measured again, that one enforceSize() makes at most. */
const SIZE_ROUNDS = 8;

/** The flow history file. Every method is synchronous: the Worker of flow_history.ts calls them. */
export class FlowHistoryDb {
  readonly path: string;
  #db: DatabaseSync;
  #insertFlow: StatementSync;
  #insertHost: StatementSync;
  #insertSubnet: StatementSync;
  #insertInterface: StatementSync;
  #insertTotals: StatementSync;

  constructor(path: string) {
    this.path = path;
    if (path !== ":memory:") {
      try {
        // Flows name who talked to whom: only the daemon's user reads them.
        Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
      }
    }
    const db = this.#db = new DatabaseSync(path);
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    db.exec(FLOW_HISTORY_SCHEMA);
    db.aggregate("flintnet_bit_or", { start: 0, step: (acc, v) => Number(acc) | Number(v) });
    this.#insertFlow = db.prepare(
      "INSERT INTO flow_minutes (minute, key, family, src, dst, src_v4, dst_v4, src_port, dst_port, proto, " +
        "tcp_flags, bytes, packets, first_ms, last_ms, exporter, in_if, out_if, src_as, dst_as) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertHost = db.prepare(
      "INSERT INTO host_minutes (minute, ip, sent_bytes, received_bytes, sent_packets, received_packets, " +
        "flows, dns_queries, dns_served) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertSubnet = db.prepare(
      "INSERT INTO subnet_minutes (minute, cidr, bytes, sent_bytes, received_bytes, sent_packets, " +
        "received_packets) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertInterface = db.prepare(
      "INSERT INTO interface_minutes (minute, exporter, if_index, in_bytes, out_bytes, in_packets, out_packets) " +
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.#insertTotals = db.prepare(
      "INSERT OR REPLACE INTO minute_totals (minute, bytes, packets, flows, flows_not_kept) VALUES (?, ?, ?, ?, ?)",
    );
  }

  /** Writes a minute in one transaction; returns the flow rows written. */
  write(s: MinuteSummary): number {
    const db = this.#db, f = s.flows, m = s.minuteMs;
    db.exec("BEGIN");
    try {
      for (let r = 0; r < f.count; r++) {
        const k = r << 2, fam = f.family[r];
        const e = f.exporter[r];
        this.#insertFlow.run(
          m,
          flowKey(fam, f.src, f.dst, k, f.srcPort[r], f.dstPort[r], f.proto[r]),
          fam,
          formatIp(fam, f.src, k),
          formatIp(fam, f.dst, k),
          fam === 4 ? f.src[k] : null,
          fam === 4 ? f.dst[k] : null,
          f.srcPort[r],
          f.dstPort[r],
          f.proto[r],
          f.tcpFlags[r],
          f.bytes[r],
          f.packets[r],
          f.firstMs[r],
          f.lastMs[r],
          e === 0 ? null : s.exporters[e - 1] ?? null,
          f.inIf[r],
          f.outIf[r],
          f.srcAs[r],
          f.dstAs[r],
        );
      }
      for (const h of s.hosts) {
        this.#insertHost.run(
          m,
          h.ip,
          h.sent_bytes,
          h.received_bytes,
          h.sent_packets,
          h.received_packets,
          h.flows,
          h.dns_queries,
          h.dns_served,
        );
      }
      for (const n of s.subnets) {
        this.#insertSubnet.run(
          m,
          n.cidr,
          n.bytes,
          n.sent_bytes,
          n.received_bytes,
          n.sent_packets,
          n.received_packets,
        );
      }
      for (const i of s.interfaces) {
        this.#insertInterface.run(
          m,
          i.exporter,
          i.if_index,
          i.in_bytes,
          i.out_bytes,
          i.in_packets,
          i.out_packets,
        );
      }
      const t = s.totals;
      this.#insertTotals.run(m, t.bytes, t.packets, t.flows, t.flows_not_kept);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
    return f.count;
  }

  /** Deletes every minute older than `cutoffMs`; returns the flow rows deleted. */
  prune(cutoffMs: number): number {
    const before = Math.floor(cutoffMs / MINUTE_MS) * MINUTE_MS;
    let n = 0;
    for (
      const table of ["flow_minutes", "host_minutes", "subnet_minutes", "interface_minutes", "minute_totals"]
    ) {
      const r = this.#db.prepare(`DELETE FROM ${table} WHERE minute < ?`).run(before);
      if (table === "flow_minutes") n = Number(r.changes);
    }
    return n;
  }

  /** Bytes of the file in use (its pages, less the free ones). */
  usedBytes(): number {
    return sqliteUsedBytes(this.#db);
  }

  /**
   * While the file holds more than `maxBytes`, deletes the oldest minutes: the share of them that is over,
   * down to 90 % of the bound (one delete a busy minute, not one every minute), measured again up to a few
   * times since minutes differ in size. The newest minute always stays. Returns the flow rows deleted.
   */
  enforceSize(maxBytes: number): number {
    let deleted = 0;
    for (let round = 0; round < SIZE_ROUNDS; round++) {
      const used = this.usedBytes();
      if (used <= maxBytes) break;
      const span = this.#db.prepare("SELECT min(minute) AS first, max(minute) AS last FROM minute_totals")
        .get() as { first: number | null; last: number | null };
      if (span.first === null || span.last === null || span.first === span.last) break;
      const minutes = (span.last - span.first) / MINUTE_MS + 1;
      const drop = Math.min(
        minutes - 1,
        Math.max(1, Math.ceil(minutes * (1 - (maxBytes * SIZE_LOW_WATER) / used))),
      );
      deleted += this.prune(span.first + drop * MINUTE_MS);
    }
    return deleted;
  }

  /** The flows of the period, grouped by 5-tuple, most octets (or packets) first. */
  query(q: FlowHistoryQuery): HistoryPage {
    const where = ["minute >= ?", "minute < ?"];
    const args: (number | string)[] = [Math.floor(q.sinceMs / MINUTE_MS) * MINUTE_MS, q.untilMs];
    if (q.ip !== undefined) where.push("(src = ? OR dst = ?)"), args.push(q.ip, q.ip);
    if (q.srcIp !== undefined) where.push("src = ?"), args.push(q.srcIp);
    if (q.dstIp !== undefined) where.push("dst = ?"), args.push(q.dstIp);
    if (q.v4Range) {
      where.push("(src_v4 BETWEEN ? AND ? OR dst_v4 BETWEEN ? AND ?)");
      args.push(q.v4Range[0], q.v4Range[1], q.v4Range[0], q.v4Range[1]);
    }
    if (q.port !== undefined) {
      where.push("proto IN (6, 17, 132) AND (src_port = ? OR dst_port = ?)");
      args.push(q.port, q.port);
    }
    if (q.protocol !== undefined) where.push("proto = ?"), args.push(q.protocol);
    const having = q.minBytes !== undefined ? `HAVING sum(bytes) >= ${Number(q.minBytes)}` : "";
    const order = q.sort === "packets" ? "p DESC, b DESC" : "b DESC, p DESC";
    // Two steps: the page's keys by one GROUP BY over (minute, key, bytes, packets), which the index
    // covers, then those keys' details through the key index. One grouping of every column, with a
    // JavaScript aggregate for the flags, took several times longer; counting every match (a window
    // count over the groups) doubled the time, so a history page does not say how many match in all.
    const top = this.#db.prepare(
      "SELECT key, sum(bytes) AS b, sum(packets) AS p " +
        `FROM flow_minutes WHERE ${where.join(" AND ")} GROUP BY key ${having} ` +
        `ORDER BY ${order}, key LIMIT ? OFFSET ?`,
    ).all(...args, q.limit, q.offset) as { key: number; b: number; p: number }[];
    const details = this.#details(top.map((t) => t.key), args[0] as number, q.untilMs);
    const oldest = this.#db.prepare("SELECT min(minute) AS m FROM minute_totals").get() as {
      m: number | null;
    };
    return {
      flows: top.map((t) => {
        const r = details.get(t.key)!;
        return {
          src_ip: r.src as string,
          dst_ip: r.dst as string,
          src_port: r.src_port as number,
          dst_port: r.dst_port as number,
          protocol: r.proto as number,
          bytes: t.b,
          packets: t.p,
          first_seen: new Date(r.first_ms as number).toISOString(),
          last_seen: new Date(r.last_ms as number).toISOString(),
          minutes: r.minutes as number,
          tcp_flags: r.tcp_flags as number,
          exporter: r.exporter as string | null,
        };
      }),
      oldestMs: oldest.m,
    };
  }

  /** The 5-tuple, first and last packet, minutes, flags and exporter of each key over the minutes. */
  #details(
    keys: number[],
    fromMs: number,
    untilMs: number,
  ): Map<number, Record<string, number | string | null>> {
    const out = new Map<number, Record<string, number | string | null>>();
    if (keys.length === 0) return out;
    const rows = this.#db.prepare(
      "SELECT key, src, dst, src_port, dst_port, proto, min(first_ms) AS first_ms, max(last_ms) AS last_ms, " +
        "count(*) AS minutes, flintnet_bit_or(tcp_flags) AS tcp_flags, max(exporter) AS exporter " +
        `FROM flow_minutes WHERE key IN (${keys.map(() => "?").join(",")}) AND minute >= ? AND minute < ? ` +
        "GROUP BY key",
    ).all(...keys, fromMs, untilMs) as Record<string, number | string | null>[];
    for (const r of rows) out.set(r.key as number, r);
    return out;
  }

  /** Flow rows held (for /stats). */
  rows(): number {
    return (this.#db.prepare("SELECT count(*) AS n FROM flow_minutes").get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }
}
