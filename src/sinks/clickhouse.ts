/**
 * ClickHouse over its HTTP interface (https://clickhouse.com/docs/en/interfaces/http): rows as
 * JSONEachRow in `INSERT … FORMAT JSONEachRow` POSTs, the tables created on first use from the DDL
 * below (deploy/clickhouse.sql is the same text, for a DBA who creates them by hand). Columns are
 * plain types that ClickHouse has had since 2018, so Debian's clickhouse-server 18.16 takes them too.
 */
import type { HttpSinkTarget } from "../config/mod.ts";
import type { SinkTransport } from "./batching_sink.ts";

/** The tables Flintnet writes, as DDL for `database`. */
export function clickhouseDdl(database: string): string[] {
  return [
    `CREATE DATABASE IF NOT EXISTS ${database}`,
    // One row per flow and minute: the bytes and packets it carried in that minute.
    `CREATE TABLE IF NOT EXISTS ${database}.flows_minute (
  site String,
  minute DateTime('UTC'),
  src_ip String,
  dst_ip String,
  src_port UInt16,
  dst_port UInt16,
  protocol UInt8,
  bytes UInt64,
  packets UInt64
) ENGINE = MergeTree() PARTITION BY toYYYYMM(minute) ORDER BY (site, minute, src_ip, dst_ip)`,
    // Anomalies, security events, traps and advisories as the event stream carries them (json: the whole event).
    `CREATE TABLE IF NOT EXISTS ${database}.events (
  site String,
  ts DateTime('UTC'),
  kind String,
  type String,
  severity String,
  subject String,
  message String,
  json String
) ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (site, ts, kind)`,
  ];
}

/** A row's table: each batch holds rows of one table. */
export type ClickhouseTable = "flows_minute" | "events";

/** Sends batches of one table to ClickHouse. */
export class ClickhouseTransport implements SinkTransport {
  readonly #t: HttpSinkTarget;
  readonly #table: ClickhouseTable;

  constructor(target: HttpSinkTarget, table: ClickhouseTable) {
    this.#t = target;
    this.#table = table;
  }

  async prepare(signal: AbortSignal): Promise<void> {
    for (const sql of clickhouseDdl(this.#t.database)) await this.#post(sql, undefined, signal);
  }

  async send(body: Uint8Array<ArrayBuffer>, signal: AbortSignal): Promise<void> {
    await this.#post(`INSERT INTO ${this.#t.database}.${this.#table} FORMAT JSONEachRow`, body, signal);
  }

  async #post(query: string, body: Uint8Array<ArrayBuffer> | undefined, signal: AbortSignal): Promise<void> {
    const url = new URL(this.#t.url + "/");
    url.searchParams.set("query", query);
    const headers: Record<string, string> = {};
    // Credentials in headers, never in the URL (which servers and proxies log).
    if (this.#t.user !== null) headers["X-ClickHouse-User"] = this.#t.user;
    if (this.#t.secret !== null) headers["X-ClickHouse-Key"] = this.#t.secret;
    const r = await fetch(url, { method: "POST", headers, body: body ?? "", signal });
    const text = await r.text();
    if (!r.ok) throw new Error(`ClickHouse answered ${r.status}: ${text.slice(0, 200).trim()}`);
  }
}
