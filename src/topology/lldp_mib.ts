/**
 * A device's LLDP neighbours over SNMP: LLDP-MIB (IEEE 802.1AB-2005, 1.0.8802.1.1.2) lldpLocPortTable,
 * lldpRemTable and lldpRemManAddrTable, or the same three tables of LLDP-V2-MIB (802.1AB-2009,
 * 1.3.111.2.802.1.1.13) for agents that have only that. The remote table and the management addresses
 * (whose values are all in their index) are read together, row by row, with the local port names.
 */
import type { InterfaceJson } from "../events/mod.ts";
import {
  type SnmpSession,
  type SnmpValue,
  type TablePresence,
  type TableRows,
  textOf,
  walkTables,
} from "../snmp/mod.ts";
import { chassisIdText, idMac, lldpPort, managementAddress } from "./lldp_ids.ts";
import { bitsToNumber, capabilityNames, type NeighbourReport, portKey, type PortRef } from "./neighbour.ts";

/** The OIDs of one version of the MIB. */
interface LldpMib {
  /** Name prefix for TablePresence. */
  prefix: string;
  /** lldp[V2]LocPortEntry: index lldpLocPortNum (v1) or ifIndex (v2). */
  locPort: string;
  /** lldp[V2]RemEntry. */
  rem: string;
  /** lldp[V2]RemManAddrEntry. */
  manAddr: string;
  /** Sub-identifiers of a lldpRemEntry index (v1: timeMark.localPortNum.remIndex; v2 adds the dest MAC index). */
  remIndexLength: number;
  /** Columns of the remote table. */
  remColumns: {
    chassisSubtype: number;
    chassisId: number;
    portSubtype: number;
    portId: number;
    portDesc: number;
    sysName: number;
    sysDesc: number;
    capEnabled: number;
  };
  /** The local port number is an ifIndex (v2), not an arbitrary number (v1). */
  portIsIfIndex: boolean;
}

/** LLDP-MIB (802.1AB-2005 Annex / 12.1). */
export const LLDP_V1: LldpMib = {
  prefix: "lldp",
  locPort: "1.0.8802.1.1.2.1.3.7.1",
  rem: "1.0.8802.1.1.2.1.4.1.1",
  manAddr: "1.0.8802.1.1.2.1.4.2.1",
  remIndexLength: 3,
  remColumns: {
    chassisSubtype: 4,
    chassisId: 5,
    portSubtype: 6,
    portId: 7,
    portDesc: 8,
    sysName: 9,
    sysDesc: 10,
    capEnabled: 12,
  },
  portIsIfIndex: false,
};

/** LLDP-V2-MIB (802.1AB-2009 clause 11). */
export const LLDP_V2: LldpMib = {
  prefix: "lldpV2",
  locPort: "1.3.111.2.802.1.1.13.1.3.7.1",
  rem: "1.3.111.2.802.1.1.13.1.4.1.1",
  manAddr: "1.3.111.2.802.1.1.13.1.4.2.1",
  remIndexLength: 4,
  remColumns: {
    chassisSubtype: 5,
    chassisId: 6,
    portSubtype: 7,
    portId: 8,
    portDesc: 9,
    sysName: 10,
    sysDesc: 11,
    capEnabled: 13,
  },
  portIsIfIndex: true,
};

/** lldp[V2]LocPortIdSubtype, lldp[V2]LocPortId, lldp[V2]LocPortDesc; lldp[V2]RemManAddrIfSubtype. */
const LOC_PORT_COLUMNS = [2, 3, 4];
const MAN_ADDR_IF_SUBTYPE = 3;

/** Neighbour rows read at most per table: a chassis with 1,000 ports is already exceptional. */
export const MAX_NEIGHBOUR_ROWS = 4096;

/** What one read found. */
export interface LldpRead {
  /** The agent had a remote table with rows. */
  present: boolean;
  /** One report per remote table row. */
  reports: NeighbourReport[];
}

/**
 * Reads the neighbours of one MIB version. With `tables`, tables the agent lacked are asked for only on
 * recheck polls. `interfaces` (from the same poll) turn local port names into ifIndexes.
 */
export async function readLldpNeighbours(
  s: SnmpSession,
  mib: LldpMib,
  interfaces: readonly InterfaceJson[],
  tables?: TablePresence,
): Promise<LldpRead> {
  const c = mib.remColumns;
  const [loc, rem, man] = await walkTables(
    s,
    [
      { name: `${mib.prefix}LocPortTable`, entry: mib.locPort, columns: LOC_PORT_COLUMNS },
      { name: `${mib.prefix}RemTable`, entry: mib.rem, columns: Object.values(c) },
      { name: `${mib.prefix}RemManAddrTable`, entry: mib.manAddr, columns: [MAN_ADDR_IF_SUBTYPE] },
    ],
    MAX_NEIGHBOUR_ROWS,
    tables,
  );
  const addresses = managementAddresses(man, mib.remIndexLength);
  const reports: NeighbourReport[] = [];
  for (const [key, row] of rem) {
    const idx = key.split(".").map(Number);
    if (idx.length !== mib.remIndexLength) continue;
    const localPortNum = idx[1];
    const chassis = octets(row.get(c.chassisId)), portId = octets(row.get(c.portId));
    const chassisSubtype = num(row.get(c.chassisSubtype)), portSubtype = num(row.get(c.portSubtype));
    if (!chassis || !portId || chassisSubtype === null || portSubtype === null) continue;
    const caps = octets(row.get(c.capEnabled));
    const macs = [idMac("chassis", chassisSubtype, chassis), idMac("port", portSubtype, portId)];
    reports.push({
      protocol: "lldp",
      localPort: localPort(localPortNum, loc.get(String(localPortNum)), interfaces, mib.portIsIfIndex),
      remote: {
        chassisId: chassisIdText(chassisSubtype, chassis),
        name: textOf(row.get(c.sysName)) || null,
        platform: textOf(row.get(c.sysDesc)) || null,
        capabilities: caps ? capabilityNames("lldp", bitsToNumber(caps)) : [],
        addresses: addresses.get(idx.join(".")) ?? [],
        macs: [...new Set(macs.filter((m): m is string => m !== null))],
        port: lldpPort(portSubtype, portId, textOf(row.get(c.portDesc)) || null),
      },
    });
  }
  return { present: rem.size > 0, reports };
}

/** Management addresses by remote-table index: the address is in the rows' index (subtype.length.octets). */
function managementAddresses(rows: TableRows, remIndexLength: number): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of rows.keys()) {
    const idx = key.split(".").map(Number);
    const [subtype, len, ...bytes] = idx.slice(remIndexLength);
    if (bytes.length !== len || bytes.some((b) => b > 255)) continue;
    const ip = managementAddress(subtype, Uint8Array.from(bytes));
    if (ip === null) continue;
    const rem = idx.slice(0, remIndexLength).join(".");
    const list = out.get(rem) ?? out.set(rem, []).get(rem)!;
    if (!list.includes(ip)) list.push(ip);
  }
  return out;
}

/**
 * The local port of a remote row: named from lldpLocPortTable, and matched to an interface of the
 * device by name; failing that, LLDP-MIB's port number is taken as an ifIndex when the device has one
 * (lldpd and most switches number them so); in LLDP-V2-MIB it is one.
 */
function localPort(
  portNum: number,
  row: Map<number, SnmpValue> | undefined,
  interfaces: readonly InterfaceJson[],
  isIfIndex: boolean,
): PortRef {
  const subtype = row ? num(row.get(2)) : null, id = row ? octets(row.get(3)) : null;
  const desc = row ? textOf(row.get(4)) || null : null;
  const port = subtype !== null && id
    ? lldpPort(subtype, id, desc)
    : { ifIndex: null, name: desc ?? String(portNum), aliases: [] };
  if (isIfIndex) return { ...port, ifIndex: portNum };
  const wanted = new Set([port.name, ...port.aliases].map(portKey));
  const byName = interfaces.find((i) => wanted.has(portKey(i.name)));
  const byNumber = interfaces.find((i) => i.index === portNum);
  return { ...port, ifIndex: byName?.index ?? byNumber?.index ?? null };
}

function octets(v: SnmpValue | undefined): Uint8Array | null {
  return v instanceof Uint8Array ? v : null;
}

function num(v: SnmpValue | undefined): number | null {
  return typeof v === "number" ? v : null;
}
