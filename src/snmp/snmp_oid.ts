/**
 * Dotted OIDs as text: order (lexicographic by sub-identifier, as GETNEXT/GETBULK walk them, RFC 3416
 * §4.2.2), subtree membership, and the index part of a table cell's OID.
 */

/** Negative when `a` comes before `b` in a walk, 0 when equal, positive after. */
export function compareOids(a: string, b: string): number {
  const x = a.split(".");
  const y = b.split(".");
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const d = Number(x[i]) - Number(y[i]);
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** True when `oid` lies strictly under `base` ("1.3.6.1.2.1.2.2.1.2.7" under "1.3.6.1.2.1.2.2.1.2"). */
export function oidInSubtree(base: string, oid: string): boolean {
  return oid.length > base.length && oid.startsWith(base) && oid[base.length] === ".";
}

/** The sub-identifiers after `column`, as numbers ("…2.2.1.2.7" → [7]); null when not under it or not numeric. */
export function indexAfter(column: string, oid: string): number[] | null {
  if (!oidInSubtree(column, oid)) return null;
  const parts = oid.slice(column.length + 1).split(".");
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,10}$/.test(p)) return null;
    out.push(Number(p));
  }
  return out;
}
