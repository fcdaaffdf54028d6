/**
 * A device's ARP / neighbour table over SNMP: ipNetToMediaTable (RFC 1213 / IP-MIB, IPv4) and
 * ipNetToPhysicalTable (RFC 4293, IPv4 and IPv6). Both are indexed by ifIndex and address, so only
 * the MAC and type columns are walked; the address comes from the index.
 */
import {
  type ArpTableEntry,
  type SnmpSession,
  type SnmpValue,
  type TablePresence,
  walkTables,
} from "../snmp/mod.ts";
import { formatIpv6, formatMac, mac48 } from "../net/mod.ts";

/** ipNetToMediaEntry (IP-MIB): index ifIndex.a.b.c.d. */
export const IP_NET_TO_MEDIA_ENTRY = "1.3.6.1.2.1.4.22.1";
/** ipNetToPhysicalEntry (IP-MIB, RFC 4293): index ifIndex.addressType.length.address… */
export const IP_NET_TO_PHYSICAL_ENTRY = "1.3.6.1.2.1.4.35.1";

/** ipNetToMediaPhysAddress / ipNetToMediaType. */
const MEDIA = { physAddress: 2, type: 4 } as const;
/** ipNetToPhysicalPhysAddress / ipNetToPhysicalType. */
const PHYS = { physAddress: 4, type: 6 } as const;

/** InetAddressType (INET-ADDRESS-MIB, RFC 4001): ipv4(1), ipv6(2). */
const INET_IPV4 = 1;
const INET_IPV6 = 2;

/** Rows read per table at most: a core router's table, not an unbounded one. */
export const DEFAULT_MAX_ARP_ROWS = 65_536;

const TYPES: Record<number, ArpTableEntry["type"]> = { 1: "other", 2: "invalid", 3: "dynamic", 4: "static" };

/**
 * Every neighbour in the device's tables, IPv4 from ipNetToMediaTable first, then what only
 * ipNetToPhysicalTable has (IPv6, or IPv4 on agents without the old table); one entry per
 * (ifIndex, address). Rows whose MAC is not 6 bytes (incomplete entries, non-Ethernet media) are skipped.
 * Both tables are read together, row by row; with `tables`, a table the agent lacked is asked for only
 * on recheck polls.
 */
export async function walkArpTable(
  s: SnmpSession,
  deviceIp: string,
  maxRows = DEFAULT_MAX_ARP_ROWS,
  tables?: TablePresence,
): Promise<ArpTableEntry[]> {
  const [media, physical] = await walkTables(
    s,
    [
      { name: "ipNetToMediaTable", entry: IP_NET_TO_MEDIA_ENTRY, columns: Object.values(MEDIA) },
      { name: "ipNetToPhysicalTable", entry: IP_NET_TO_PHYSICAL_ENTRY, columns: Object.values(PHYS) },
    ],
    maxRows,
    tables,
  );
  const out: ArpTableEntry[] = [];
  const seen = new Set<string>();
  const add = (ifIndex: number, ip: string, mac: SnmpValue | undefined, type: SnmpValue | undefined) => {
    if (!(mac instanceof Uint8Array) || mac.length !== 6) return;
    const key = `${ifIndex}|${ip}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ device: deviceIp, ifIndex, ip, mac: formatMac(mac48(mac, 0)), type: typeName(type) });
  };
  for (const [key, row] of media) {
    const idx = key.split(".").map(Number);
    if (idx.length !== 5 || idx.slice(1).some((b) => b > 255)) continue;
    add(idx[0], idx.slice(1).join("."), row.get(MEDIA.physAddress), row.get(MEDIA.type));
  }
  for (const [key, row] of physical) {
    const parsed = parsePhysicalIndex(key);
    if (parsed === null) continue;
    add(parsed.ifIndex, parsed.ip, row.get(PHYS.physAddress), row.get(PHYS.type));
  }
  return out;
}

/** ipNetToPhysicalTable index → ifIndex and address text; null for other address types or a bad index. */
export function parsePhysicalIndex(key: string): { ifIndex: number; ip: string } | null {
  const idx = key.split(".").map(Number);
  if (idx.length < 3) return null;
  const [ifIndex, addrType, len] = idx;
  const bytes = idx.slice(3);
  if (bytes.length !== len || bytes.some((b) => b > 255)) return null;
  if (addrType === INET_IPV4 && len === 4) return { ifIndex, ip: bytes.join(".") };
  if (addrType === INET_IPV6 && len === 16) return { ifIndex, ip: ipv6Text(bytes) };
  return null;
}

/** 16 address bytes → RFC 5952 text, through the shared formatter's four big-endian words. */
function ipv6Text(bytes: number[]): string {
  const words = new Uint32Array(4);
  for (let i = 0; i < 4; i++) {
    words[i] =
      ((bytes[4 * i] << 24) | (bytes[4 * i + 1] << 16) | (bytes[4 * i + 2] << 8) | bytes[4 * i + 3]) >>> 0;
  }
  return formatIpv6(words, 0);
}

function typeName(v: SnmpValue | undefined): ArpTableEntry["type"] {
  // ipNetToPhysicalType local(5) is the device's own address: "other" in our vocabulary.
  return typeof v === "number" ? TYPES[v] ?? "other" : "other";
}
