/**
 * Bytes of an SQLite file in use: its pages less the free ones ((page_count − freelist_count) × page_size,
 * https://www.sqlite.org/pragma.html#pragma_page_count) — rows and indexes together, in three cheap pragmas.
 * Pages a delete frees are reused, so a store that removes its oldest rows above a bound stops growing at
 * about the bound.
 */
import type { DatabaseSync } from "node:sqlite";

/** See the module comment. */
export function sqliteUsedBytes(db: DatabaseSync): number {
  const get = (pragma: string) => Object.values(db.prepare(`PRAGMA ${pragma}`).get() ?? {})[0] as number;
  return (get("page_count") - get("freelist_count")) * get("page_size");
}
