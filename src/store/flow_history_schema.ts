/**
 * The flow history's tables (flow_history_db.ts): per-minute rows, each table indexed by its minute so
 * a period's rows are a range scan and pruning is a range delete. Times are ms since the epoch; a
 * minute is the ms of its start. Addresses are canonical text; IPv4 ones also as unsigned numbers, so a
 * CIDR filter is a range.
 */
export const FLOW_HISTORY_SCHEMA = `
CREATE TABLE IF NOT EXISTS flow_minutes (
  minute INTEGER NOT NULL,
  key INTEGER NOT NULL,
  family INTEGER NOT NULL,
  src TEXT NOT NULL,
  dst TEXT NOT NULL,
  src_v4 INTEGER,
  dst_v4 INTEGER,
  src_port INTEGER NOT NULL,
  dst_port INTEGER NOT NULL,
  proto INTEGER NOT NULL,
  tcp_flags INTEGER NOT NULL,
  bytes REAL NOT NULL,
  packets REAL NOT NULL,
  first_ms REAL NOT NULL,
  last_ms REAL NOT NULL,
  exporter TEXT,
  in_if INTEGER NOT NULL,
  out_if INTEGER NOT NULL,
  src_as INTEGER NOT NULL,
  dst_as INTEGER NOT NULL
);
-- Covers the first step of a top-N (sum per key over a range of minutes) without reading the rows.
CREATE INDEX IF NOT EXISTS flow_minutes_minute ON flow_minutes (minute, key, bytes, packets);
-- The second step: the few top keys' details.
-- (no key index: see query())
CREATE TABLE IF NOT EXISTS host_minutes (
  minute INTEGER NOT NULL,
  ip TEXT NOT NULL,
  sent_bytes REAL NOT NULL,
  received_bytes REAL NOT NULL,
  sent_packets REAL NOT NULL,
  received_packets REAL NOT NULL,
  flows INTEGER NOT NULL,
  dns_queries REAL NOT NULL,
  dns_served REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS host_minutes_minute ON host_minutes (minute);
CREATE TABLE IF NOT EXISTS subnet_minutes (
  minute INTEGER NOT NULL,
  cidr TEXT NOT NULL,
  bytes REAL NOT NULL,
  sent_bytes REAL NOT NULL,
  received_bytes REAL NOT NULL,
  sent_packets REAL NOT NULL,
  received_packets REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS subnet_minutes_minute ON subnet_minutes (minute);
CREATE TABLE IF NOT EXISTS interface_minutes (
  minute INTEGER NOT NULL,
  exporter TEXT NOT NULL,
  if_index INTEGER NOT NULL,
  in_bytes REAL NOT NULL,
  out_bytes REAL NOT NULL,
  in_packets REAL NOT NULL,
  out_packets REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS interface_minutes_minute ON interface_minutes (minute);
CREATE TABLE IF NOT EXISTS minute_totals (
  minute INTEGER PRIMARY KEY,
  bytes REAL NOT NULL,
  packets REAL NOT NULL,
  flows INTEGER NOT NULL,
  flows_not_kept INTEGER NOT NULL
);
`;
