-- Flintnet's ClickHouse tables (database "flintnet"). Flintnet creates them on first use;
-- a DBA who prefers to create them by hand runs this file: clickhouse-client --multiquery < clickhouse.sql
-- Rows carry a site label, so one database serves every site.

CREATE DATABASE IF NOT EXISTS flintnet;

CREATE TABLE IF NOT EXISTS flintnet.flows_minute (
  site String,
  minute DateTime('UTC'),
  src_ip String,
  dst_ip String,
  src_port UInt16,
  dst_port UInt16,
  protocol UInt8,
  bytes UInt64,
  packets UInt64
) ENGINE = MergeTree() PARTITION BY toYYYYMM(minute) ORDER BY (site, minute, src_ip, dst_ip);

CREATE TABLE IF NOT EXISTS flintnet.events (
  site String,
  ts DateTime('UTC'),
  kind String,
  type String,
  severity String,
  subject String,
  message String,
  json String
) ENGINE = MergeTree() PARTITION BY toYYYYMM(ts) ORDER BY (site, ts, kind);
