/**
 * The history's SQLite file: created readable by the daemon's user only, opened in WAL mode with
 * synchronous=NORMAL (https://www.sqlite.org/wal.html), and brought up to the schema of
 * history_schema.ts one migration at a time. What to do with a damaged file is openHistory()'s call.
 */
import { DatabaseSync } from "node:sqlite";
import { HISTORY_MIGRATIONS } from "./history_schema.ts";

/** A history file written by a newer Flintnet (a downgrade): the file is fine, this program is too old. */
export class HistorySchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HistorySchemaError";
  }
}

/** SQLITE_CORRUPT and SQLITE_NOTADB (https://www.sqlite.org/rescode.html). */
const CORRUPT_CODES = new Set([11, 26]);

/**
 * Opens the SQLite file at `path` (creating it, mode 0600, when missing) in WAL mode and applies the
 * migrations it has not had. Throws SQLite's error for a file that is not a database (see
 * {@link isCorrupt}) and an Error for a schema newer than this program knows.
 */
export function openDatabase(path: string): DatabaseSync {
  try {
    // Alerts name the devices on the network: only the daemon's user reads them.
    Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
  } catch (e) {
    if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
  }
  const db = new DatabaseSync(path);
  try {
    db.exec("PRAGMA busy_timeout = 5000");
    db.exec("PRAGMA journal_mode = WAL");
    db.exec("PRAGMA synchronous = NORMAL");
    migrate(db, path);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** Applies the migrations the file has not had yet, each in its own transaction. */
function migrate(db: DatabaseSync, path: string): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const row = db.prepare("SELECT max(version) AS v FROM schema_version").get() as { v: number | null };
  const current = row.v ?? 0;
  if (current > HISTORY_MIGRATIONS.length) {
    throw new HistorySchemaError(
      `alert history ${path} has schema version ${current}, newer than this Flintnet knows ` +
        `(${HISTORY_MIGRATIONS.length}): run the newer version, or move the file away to start a new history`,
    );
  }
  for (let v = current + 1; v <= HISTORY_MIGRATIONS.length; v++) {
    db.exec("BEGIN");
    try {
      db.exec(HISTORY_MIGRATIONS[v - 1]);
      db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(v);
      db.exec("COMMIT");
    } catch (err) {
      db.exec("ROLLBACK");
      throw err;
    }
  }
}

/** Whether `err` says the file is not a database or is damaged (it is then moved aside, not fatal). */
export function isCorrupt(err: unknown): boolean {
  const e = err as { errcode?: number; message?: string };
  return CORRUPT_CODES.has(e?.errcode ?? -1) ||
    /file is not a database|database disk image is malformed/.test(e?.message ?? "");
}
