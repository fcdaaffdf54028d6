/**
 * Reading a conceptual table (SMIv2 table → entry → columns) one column at a time: only the columns a
 * poller needs cross the wire, each walk capped so a huge table stays bounded, and the cells come back
 * keyed by their row index.
 */
import type { SnmpSession, SnmpValue } from "./snmp_types.ts";
import { indexAfter } from "./snmp_oid.ts";

/** The cells of one table: row index (dotted text, e.g. "7" or "2.10.231.40.5") → column number → value. */
export type TableRows = Map<string, Map<number, SnmpValue>>;

/**
 * Walks `entryOid`.`column` for each column (in parallel, one GETBULK stream each), at most `maxRows`
 * rows per column, and joins the cells by index. Rows keep the order of the first column that has them.
 */
export async function walkColumns(
  s: SnmpSession,
  entryOid: string,
  columns: readonly number[],
  maxRows: number,
): Promise<TableRows> {
  const walks = await Promise.all(columns.map((c) => s.walk(`${entryOid}.${c}`, maxRows)));
  const rows: TableRows = new Map();
  walks.forEach((varbinds, i) => {
    const column = `${entryOid}.${columns[i]}`;
    for (const vb of varbinds) {
      const index = indexAfter(column, vb.oid);
      if (index === null) continue;
      const key = index.join(".");
      let row = rows.get(key);
      if (row === undefined) {
        // A column that runs longer than the cap in another column must not add rows beyond it.
        if (rows.size >= maxRows) continue;
        row = new Map();
        rows.set(key, row);
      }
      row.set(columns[i], vb.value);
    }
  });
  return rows;
}
