/**
 * Reading conceptual tables (SMIv2 table → entry → columns) row by row, as `snmptable` and
 * `snmpbulkwalk -Cc` do: one GETBULK carries one varbind per needed column, so each request brings back
 * whole rows and a table of R rows costs about R × columns / {@link BULK_VARBINDS} requests, one after the
 * other. Only the columns a poller needs cross the wire; a column that has ended (sparse tables end
 * columns at different rows) is dropped from the next request; every column stops after `maxRows`
 * cells, so a huge or hostile table stays bounded (columns × maxRows cells at most while walking) and
 * the result is the first `maxRows` rows in index order; cells come back keyed by their row index.
 */
import { SnmpError, type SnmpSession, type SnmpValue } from "./snmp_types.ts";
import { compareOids, indexAfter, oidInSubtree } from "./snmp_oid.ts";
import type { TablePresence } from "./table_presence.ts";

/** The cells of one table: row index (dotted text, e.g. "7" or "2.10.231.40.5") → column number → value. */
export type TableRows = Map<string, Map<number, SnmpValue>>;

/** One table to read. */
export interface TableSpec {
  /** The table's name, as {@link TablePresence} remembers it ("ifXTable"). */
  name: string;
  /** The entry OID (`…Table.1`), dotted. */
  entry: string;
  /** The columns needed. */
  columns: readonly number[];
}

/**
 * Varbinds one GETBULK asks for at most. Net-SNMP's snmpd answers at most 100 (maxGetbulkResponses);
 * 50 measured 0.9 KB (snmpd's ifTable) to 1.1 KB (a 24-port switch's ifTable or ifXTable columns with
 * names and aliases) on the wire: one 1500-byte frame, under the 1,472-byte messages many embedded
 * agents keep to, far under 64 KiB. Agents that cut the answer shorter, or say tooBig, are handled.
 */
export const BULK_VARBINDS = 50;

/** max-repetitions for a GETBULK of `columns` varbinds: whole rows within {@link BULK_VARBINDS}, at least 1. */
export function bulkRepetitions(columns: number, budget = BULK_VARBINDS): number {
  return Math.max(1, Math.floor(budget / Math.max(1, columns)));
}

/** Where one column's walk stands. */
interface Cursor {
  /** Which of the tables asked for. */
  table: number;
  column: number;
  /** `entry.column`: the subtree the column's cells are in. */
  base: string;
  /** The last OID received (the base before the first). */
  oid: string;
  /** Cells received. */
  count: number;
  done: boolean;
}

/**
 * Reads the needed columns of `tables` together, row by row, at most `maxRows` rows per table. With
 * `presence`, a table the agent lacked on an earlier poll is skipped (an empty result) except on recheck
 * polls, tables not known to be there are first asked for one row, and what this walk found is
 * recorded. An agent that answers noSuchName gives an empty table.
 * Rejects with the session's SnmpError, or `malformed` when the agent's OIDs do not increase.
 */
export async function walkTables(
  s: SnmpSession,
  tables: readonly TableSpec[],
  maxRows: number,
  presence?: TablePresence,
): Promise<TableRows[]> {
  if (!Number.isInteger(maxRows) || maxRows < 1) {
    throw new RangeError(`maxRows ${maxRows} is not valid; accepted: a whole number ≥ 1`);
  }
  const results: TableRows[] = tables.map(() => new Map());
  const asked = tables.map((t) => t.columns.length > 0 && (presence?.shouldAsk(t.name) ?? true));
  let active: Cursor[] = [];
  tables.forEach((t, table) => {
    if (!asked[table]) return;
    for (const column of t.columns) {
      const base = `${t.entry}.${column}`;
      active.push({ table, column, base, oid: base, count: 0, done: false });
    }
  });
  const cursors = active;
  // Tables not known to be there are looked for with one row first: an agent without them answers one
  // varbind a column, not a full answer of whatever follows them in its MIB view.
  let probe = presence !== undefined && tables.every((t, i) => !asked[i] || !presence.knownPresent(t.name));
  try {
    while (active.length > 0) {
      const n = active.length;
      const remaining = Math.max(...active.map((c) => maxRows - c.count));
      const reps = probe ? 1 : Math.min(bulkRepetitions(n), remaining);
      probe = false;
      const answer = await s.getBulk(active.map((c) => c.oid), reps);
      if (answer.length === 0) {
        throw new SnmpError("malformed", "malformed response: a GETBULK answered with no varbinds");
      }
      // Row-major: answer[i] continues active[i % n]. A short answer leaves later columns where they were.
      const limit = Math.min(answer.length, n * reps);
      for (let i = 0; i < limit; i++) {
        const c = active[i % n];
        if (c.done) continue;
        const vb = answer[i];
        if (vb === null || !oidInSubtree(c.base, vb.oid)) {
          c.done = true;
          continue;
        }
        // An agent that answers an OID not after the one asked would make the walk loop forever.
        if (compareOids(vb.oid, c.oid) <= 0) {
          throw new SnmpError(
            "malformed",
            `malformed response: the agent returned ${vb.oid} after ${c.oid} while walking ${c.base} (not increasing)`,
          );
        }
        c.oid = vb.oid;
        c.count++;
        if (c.count >= maxRows) c.done = true;
        const index = indexAfter(c.base, vb.oid);
        if (index === null) continue;
        const rows = results[c.table];
        const key = index.join(".");
        let row = rows.get(key);
        if (row === undefined) rows.set(key, row = new Map());
        row.set(c.column, vb.value);
      }
      active = active.filter((c) => !c.done);
    }
  } catch (e) {
    if (!(e instanceof SnmpError) || e.failure !== "no_such_object") throw e;
    tables.forEach((t, table) => {
      if (!asked[table]) return;
      results[table] = new Map();
      presence?.record(t.name, false);
    });
    return results;
  }
  tables.forEach((t, table) => {
    if (asked[table]) presence?.record(t.name, cursors.some((c) => c.table === table && c.count > 0));
  });
  return results.map((rows) => rows.size > maxRows ? firstRows(rows, maxRows) : rows);
}

/**
 * The `maxRows` rows with the lowest indexes. Every column stopped after `maxRows` cells, so each of
 * these rows has all its cells: a cell of one of them can only be preceded in its column by cells of
 * rows with lower indexes, of which there are fewer than `maxRows`.
 */
function firstRows(rows: TableRows, maxRows: number): TableRows {
  const keys = [...rows.keys()].sort(compareOids).slice(0, maxRows);
  return new Map(keys.map((k) => [k, rows.get(k)!]));
}

/**
 * Reads `columns` of the table at `entryOid` row by row: the first `maxRows` rows in index order. Rows
 * appear in the order the walk first met them (index order for a dense table, not always for a sparse
 * one), or in index order when the cap cut the table.
 */
export async function walkColumns(
  s: SnmpSession,
  entryOid: string,
  columns: readonly number[],
  maxRows: number,
): Promise<TableRows> {
  const [rows] = await walkTables(s, [{ name: entryOid, entry: entryOid, columns }], maxRows);
  return rows;
}
