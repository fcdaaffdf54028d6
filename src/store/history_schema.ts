/**
 * The history file's schema, as migrations: entry N − 1 takes a file from version N − 1 to N. Append a
 * migration to change the schema; never edit one that has shipped (files out there already ran it).
 */

/** SQL of each schema version, oldest first. */
export const HISTORY_MIGRATIONS: readonly string[] = [
  // 1: alerts and mutes.
  `
  CREATE TABLE alerts (
    -- AUTOINCREMENT: an id in an API answer or a mail never comes back as another alert after a purge.
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,            -- ms since the epoch
    kind TEXT NOT NULL,             -- security | anomaly | trap
    type TEXT NOT NULL,
    severity TEXT NOT NULL,         -- info | warning | critical
    mac TEXT,
    ip TEXT,
    peer_ip TEXT,
    device_ip TEXT,
    summary TEXT NOT NULL,
    event TEXT NOT NULL,            -- JSON
    muted INTEGER NOT NULL DEFAULT 0,
    acked_at INTEGER,
    acked_by TEXT,
    ack_note TEXT
  );
  -- Pages run newest first with (ts, id) keys: every index ends in ts (the rowid id follows implicitly).
  CREATE INDEX alerts_ts ON alerts (ts);
  CREATE INDEX alerts_kind_ts ON alerts (kind, ts);
  CREATE INDEX alerts_type_ts ON alerts (type, ts);
  CREATE INDEX alerts_mac_ts ON alerts (mac, ts) WHERE mac IS NOT NULL;
  CREATE INDEX alerts_ip_ts ON alerts (ip, ts) WHERE ip IS NOT NULL;
  CREATE INDEX alerts_peer_ip_ts ON alerts (peer_ip, ts) WHERE peer_ip IS NOT NULL;
  CREATE INDEX alerts_device_ip_ts ON alerts (device_ip, ts) WHERE device_ip IS NOT NULL;
  CREATE INDEX alerts_unacked_ts ON alerts (ts) WHERE acked_at IS NULL;

  CREATE TABLE mutes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    mac TEXT,
    ip TEXT,
    kind TEXT,
    type TEXT,
    until INTEGER NOT NULL,         -- ms since the epoch; the rule ends then
    reason TEXT,
    created_at INTEGER NOT NULL
  );
  `,
];
