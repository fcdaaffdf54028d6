/**
 * A device's CDP neighbours over SNMP: CISCO-CDP-MIB cdpCacheTable (1.3.6.1.4.1.9.9.23.1.2.1), indexed
 * by the local ifIndex and a device index: the neighbour's device ID, address, port, platform and
 * capabilities, as the last CDP message from it said.
 */
import type { InterfaceJson } from "../events/mod.ts";
import { type SnmpSession, type SnmpValue, type TablePresence, textOf, walkTables } from "../snmp/mod.ts";
import { managementAddress } from "./lldp_ids.ts";
import { MAX_NEIGHBOUR_ROWS } from "./lldp_mib.ts";
import { capabilityNames, type NeighbourReport } from "./neighbour.ts";

/** cdpCacheEntry. */
export const CDP_CACHE_ENTRY = "1.3.6.1.4.1.9.9.23.1.2.1.1";

/** cdpCacheAddressType, cdpCacheAddress, cdpCacheDeviceId, cdpCacheDevicePort, cdpCachePlatform, cdpCacheCapabilities. */
const C = { addressType: 3, address: 4, deviceId: 6, devicePort: 7, platform: 8, capabilities: 9 } as const;

/** CiscoNetworkProtocol (CISCO-TC): ip(1), ipv6(20). */
const CNP_IP = 1, CNP_IPV6 = 20;

/** What one read found. */
export interface CdpRead {
  /** The agent had a cdpCacheTable with rows. */
  present: boolean;
  /** One report per row. */
  reports: NeighbourReport[];
}

/** Reads the CDP cache. With `tables`, an agent that lacked it is asked again only on recheck polls. */
export async function readCdpNeighbours(
  s: SnmpSession,
  interfaces: readonly InterfaceJson[],
  tables?: TablePresence,
): Promise<CdpRead> {
  const [rows] = await walkTables(
    s,
    [{ name: "cdpCacheTable", entry: CDP_CACHE_ENTRY, columns: Object.values(C) }],
    MAX_NEIGHBOUR_ROWS,
    tables,
  );
  const reports: NeighbourReport[] = [];
  for (const [key, row] of rows) {
    const idx = key.split(".").map(Number);
    if (idx.length !== 2) continue;
    const name = textOf(row.get(C.deviceId));
    if (name === "") continue;
    const ifIndex = idx[0];
    const itf = interfaces.find((i) => i.index === ifIndex);
    const port = textOf(row.get(C.devicePort));
    const address = cdpAddress(row.get(C.addressType), row.get(C.address));
    const caps = row.get(C.capabilities);
    reports.push({
      protocol: "cdp",
      localPort: { ifIndex, name: itf?.name ?? String(ifIndex), aliases: itf ? [itf.name] : [] },
      remote: {
        chassisId: null,
        name,
        platform: textOf(row.get(C.platform)) || null,
        capabilities: caps instanceof Uint8Array && caps.length === 4
          ? capabilityNames("cdp", ((caps[0] << 24) | (caps[1] << 16) | (caps[2] << 8) | caps[3]) >>> 0)
          : [],
        addresses: address ? [address] : [],
        macs: [],
        port: { ifIndex: null, name: port, aliases: port === "" ? [] : [port] },
      },
    });
  }
  return { present: rows.size > 0, reports };
}

/** cdpCacheAddress as text, for IPv4 and IPv6 (CiscoNetworkAddress: the address octets). */
function cdpAddress(type: SnmpValue | undefined, address: SnmpValue | undefined): string | null {
  if (!(address instanceof Uint8Array)) return null;
  if (type === CNP_IP || (type === undefined && address.length === 4)) return managementAddress(1, address);
  if (type === CNP_IPV6) return managementAddress(2, address);
  return null;
}
