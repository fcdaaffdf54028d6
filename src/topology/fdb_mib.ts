/**
 * A switch's bridge forwarding table over SNMP, for placing hosts on the map: Q-BRIDGE-MIB
 * dot1qTpFdbTable (RFC 4363, per VLAN) and BRIDGE-MIB dot1dTpFdbTable (RFC 4188), with
 * dot1dBasePortTable to turn bridge port numbers into ifIndexes. Only learned entries count: the
 * switch's own addresses and invalidated rows do not place a host.
 */
import { formatMac, mac48 } from "../net/mod.ts";
import { type SnmpSession, type TablePresence, type TableRows, walkTables } from "../snmp/mod.ts";
import type { FdbEntry } from "./fdb_hosts.ts";

/** dot1dBasePortEntry (BRIDGE-MIB): column 2 dot1dBasePortIfIndex. */
export const DOT1D_BASE_PORT_ENTRY = "1.3.6.1.2.1.17.1.4.1";
/** dot1dTpFdbEntry (BRIDGE-MIB): index MAC; columns 2 port, 3 status. */
export const DOT1D_TP_FDB_ENTRY = "1.3.6.1.2.1.17.4.3.1";
/** dot1qTpFdbEntry (Q-BRIDGE-MIB): index FDB id . MAC; columns 2 port, 3 status. */
export const DOT1Q_TP_FDB_ENTRY = "1.3.6.1.2.1.17.7.1.2.2.1";

/** dot1dTpFdbStatus / dot1qTpFdbStatus: other(1) and learned(3) place a host; invalid(2), self(4), mgmt(5) do not. */
const PLACING_STATUS = new Set([1, 3]);

/** Rows read per table at most: a small business network, with room to spare. */
export const MAX_FDB_ROWS = 8192;

/**
 * Reads the forwarding table; null when the agent has neither table. A VLAN-aware switch keeps its
 * entries in dot1qTpFdbTable (and often repeats them in dot1dTpFdbTable): the older table is read only
 * when the newer one is empty.
 */
export async function readFdb(s: SnmpSession, tables?: TablePresence): Promise<FdbEntry[] | null> {
  const [ports, dot1q] = await walkTables(
    s,
    [
      { name: "dot1dBasePortTable", entry: DOT1D_BASE_PORT_ENTRY, columns: [2] },
      { name: "dot1qTpFdbTable", entry: DOT1Q_TP_FDB_ENTRY, columns: [2, 3] },
    ],
    MAX_FDB_ROWS,
    tables,
  );
  const [dot1d] = dot1q.size > 0 ? [new Map() as TableRows] : await walkTables(
    s,
    [{ name: "dot1dTpFdbTable", entry: DOT1D_TP_FDB_ENTRY, columns: [2, 3] }],
    MAX_FDB_ROWS,
    tables,
  );
  if (dot1d.size === 0 && dot1q.size === 0) return null;
  const ifIndexOf = (port: number) => {
    const v = ports.get(String(port))?.get(2);
    // Without dot1dBasePortTable, bridge ports are taken as ifIndexes (what many small switches use).
    return typeof v === "number" ? v : ports.size === 0 ? port : null;
  };
  const out: FdbEntry[] = [];
  const seen = new Set<string>();
  const add = (rows: TableRows, macAt: number) => {
    for (const [key, row] of rows) {
      const idx = key.split(".").map(Number);
      const octets = idx.slice(macAt);
      const port = row.get(2), status = row.get(3);
      if (octets.length !== 6 || octets.some((b) => b > 255) || typeof port !== "number" || port === 0) {
        continue;
      }
      if (typeof status === "number" && !PLACING_STATUS.has(status)) continue;
      const ifIndex = ifIndexOf(port);
      if (ifIndex === null) continue;
      const mac = formatMac(mac48(Uint8Array.from(octets), 0));
      const k = `${mac}|${ifIndex}`;
      if (seen.has(k)) continue;
      seen.add(k);
      out.push({ mac, ifIndex });
    }
  };
  add(dot1q, 1);
  add(dot1d, 0);
  return out;
}
