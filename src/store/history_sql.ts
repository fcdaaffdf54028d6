/**
 * The SQL side of the alert history: WHERE clauses from a filter, rows to records, and the event JSON
 * as stored.
 */
import type { SQLInputValue } from "node:sqlite";
import type { AlertFilter, AlertRecord } from "./alert_row.ts";

/** An event's JSON longer than this is stored without its evidence or varbinds (memory and disk bound). */
export const MAX_EVENT_JSON = 64 * 1024;

/** The alert columns, in table order. */
export const COLUMNS = "id, ts, kind, type, severity, mac, ip, peer_ip, device_ip, summary, event, muted, " +
  "acked_at, acked_by, ack_note";

/** " WHERE a AND b", or nothing. */
export function sqlWhere(conds: string[]): string {
  return conds.length === 0 ? "" : ` WHERE ${conds.join(" AND ")}`;
}

/** The conditions and arguments of `f`. */
export function whereClause(f: AlertFilter): { where: string[]; args: SQLInputValue[] } {
  const where: string[] = [], args: SQLInputValue[] = [];
  const eq = (col: string, v: string | undefined) => {
    if (v === undefined) return;
    where.push(`${col} = ?`);
    args.push(v);
  };
  eq("kind", f.kind);
  eq("type", f.type);
  eq("severity", f.severity);
  eq("mac", f.mac);
  if (f.ip !== undefined) {
    where.push("(ip = ? OR peer_ip = ? OR device_ip = ?)");
    args.push(f.ip, f.ip, f.ip);
  }
  if (f.sinceMs !== undefined) {
    where.push("ts >= ?");
    args.push(f.sinceMs);
  }
  if (f.untilMs !== undefined) {
    where.push("ts <= ?");
    args.push(f.untilMs);
  }
  if (f.acked !== undefined) where.push(f.acked ? "acked_at IS NOT NULL" : "acked_at IS NULL");
  if (f.muted !== undefined) where.push(f.muted ? "muted = 1" : "muted = 0");
  if (f.q !== undefined && f.q !== "") {
    where.push("summary LIKE ? ESCAPE '\\'");
    args.push(`%${f.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  }
  return { where, args };
}

/** A row as node:sqlite returns it: the record, with `muted` as 0/1 and the event as stored text. */
export interface Row extends Omit<AlertRecord, "muted" | "event"> {
  muted: number;
  event: string;
}

/** The record of a row. */
export function toRecord(r: Row): AlertRecord {
  let event: Record<string, unknown> | null = null;
  try {
    event = JSON.parse(r.event);
  } catch {
    // A row damaged on disk still lists; its event is lost.
  }
  return {
    id: r.id,
    ts: r.ts,
    kind: r.kind,
    type: r.type,
    severity: r.severity,
    mac: r.mac,
    ip: r.ip,
    peer_ip: r.peer_ip,
    device_ip: r.device_ip,
    summary: r.summary,
    muted: r.muted === 1,
    acked_at: r.acked_at,
    acked_by: r.acked_by,
    ack_note: r.ack_note,
    event,
  };
}

/** The event's JSON without the bus id (meaningless after a restart), cut to MAX_EVENT_JSON. */
export function eventJson(event: Record<string, unknown>): string {
  const { id: _busId, ...rest } = event;
  const text = JSON.stringify(rest);
  if (text.length <= MAX_EVENT_JSON) return text;
  const slim: Record<string, unknown> = { ...rest, truncated: true };
  for (const big of ["evidence", "varbinds"]) {
    if (big in slim) slim[big] = `[${JSON.stringify(slim[big]).length} characters left out]`;
  }
  const again = JSON.stringify(slim);
  return again.length <= MAX_EVENT_JSON
    ? again
    : JSON.stringify({ kind: rest.kind, ts: rest.ts, truncated: true });
}
